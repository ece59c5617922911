using System.Globalization;
using System.Text;

namespace GraphRec.Sample.Tests;

/// <summary>Small datasets in ML-100K's layout, for runs of the sample.</summary>
internal static class SmallMovieLens
{
    private const string Item = "|Movie|01-Jan-1995||http://x|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n";

    /// <summary>
    /// Writes <paramref name="ratings"/> (user, item, rating) with items 1..<paramref name="items"/> under
    /// <c>folder/data/ml-100k</c>, the n-th rating at <paramref name="timestamp"/>(n) (880,000,000 + n when null); returns the data folder.
    /// </summary>
    public static string Write(string folder, IEnumerable<(int User, int Item, int Rating)> ratings, int items, Func<int, long>? timestamp = null)
    {
        timestamp ??= n => 880_000_000 + n;
        string dataset = Path.Combine(folder, "data", "ml-100k");
        Directory.CreateDirectory(dataset);
        File.WriteAllLines(Path.Combine(dataset, "u.data"), ratings.Select((r, n) => string.Create(CultureInfo.InvariantCulture, $"{r.User}\t{r.Item}\t{r.Rating}\t{timestamp(n)}")));
        File.WriteAllText(Path.Combine(dataset, "u.item"), string.Concat(Enumerable.Range(1, items).Select(i => i + Item)), Encoding.Latin1);
        return Path.Combine(folder, "data");
    }

    /// <summary>Two taste groups of 20 users over 30 items.</summary>
    public static IEnumerable<(int User, int Item, int Rating)> TwoGroups()
    {
        var random = new Random(9);
        for (int user = 1; user <= 40; user++)
        {
            int first = user <= 20 ? 1 : 16;
            for (int item = first; item < first + 15; item++)
            {
                if (random.NextDouble() < 0.6)
                {
                    yield return (user, item, 4);
                }
            }
        }
    }
}
