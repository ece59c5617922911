using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>
/// Seeded synthetic interaction graphs shaped like Gowalla, written straight into the library's CSR
/// <see cref="Interactions"/> (the arrays are handed over, not copied).
/// </summary>
/// <remarks>
/// The shape, fitted on Gowalla's training split (29,858 users, 40,981 items, 810,128 interactions) by maximum likelihood:
/// user degrees are Pareto with α = 2.09 from a minimum of 8 (Gowalla's minimum; its largest degree, 811, is 30x its
/// mean, and degrees are capped at 30x the mean here too); item popularity is Pareto with α = 2.55 (the fit from 10
/// interactions up, where a power law holds on Gowalla). Users and items grow with the edges in Gowalla's proportions
/// (3.69 users and 5.06 items per 100 interactions) unless given, so a larger graph is a larger Gowalla, not a denser one.
/// </remarks>
internal static class SyntheticGraph
{
    public const double UsersPerEdge = 29_858.0 / 810_128;
    public const double ItemsPerEdge = 40_981.0 / 810_128;
    private const double UserAlpha = 2.09;
    private const double UserMinimum = 8;
    private const double ItemAlpha = 2.55;
    private const int Chunk = 4096;

    /// <summary>A graph of about <paramref name="edges"/> distinct interactions (exactly, unless users run out of items).</summary>
    public static Interactions Generate(long edges, int seed, int? users = null, int? items = null)
    {
        int userCount = users ?? (int)Math.Max(1, Math.Round(edges * UsersPerEdge));
        int itemCount = items ?? (int)Math.Max(2, Math.Round(edges * ItemsPerEdge));
        var random = new Random(seed);

        // Degrees: Pareto draws, capped, then scaled so that they sum to the edges asked for.
        var raw = new double[userCount];
        double cap = 30.0 * edges / userCount;
        for (int u = 0; u < userCount; u++)
        {
            raw[u] = Math.Min(cap, UserMinimum * Math.Pow(1 - random.NextDouble(), -1 / (UserAlpha - 1)));
        }

        double scale = edges / raw.Sum();
        var rowPointers = new int[userCount + 1];
        for (int u = 0; u < userCount; u++)
        {
            int degree = (int)Math.Clamp(Math.Round(raw[u] * scale), 1, itemCount - 1);
            rowPointers[u + 1] = checked(rowPointers[u] + degree);
        }

        // Item popularity: Pareto weights, as a cumulative table to draw from by binary search.
        var cumulative = new double[itemCount];
        double total = 0;
        for (int i = 0; i < itemCount; i++)
        {
            total += Math.Pow(1 - random.NextDouble(), -1 / (ItemAlpha - 1));
            cumulative[i] = total;
        }

        var columns = new int[rowPointers[userCount]];
        Parallel.For(0, (userCount + Chunk - 1) / Chunk, chunk =>
        {
            var draw = new Random(unchecked((seed * 1_000_003) + chunk)); // fixed per chunk: the graph depends on the seed only
            var seen = new HashSet<int>();
            for (int u = chunk * Chunk; u < Math.Min(userCount, (chunk + 1) * Chunk); u++)
            {
                var row = columns.AsSpan(rowPointers[u], rowPointers[u + 1] - rowPointers[u]);
                seen.Clear();
                int filled = 0;
                while (filled < row.Length)
                {
                    int item = Array.BinarySearch(cumulative, draw.NextDouble() * total);
                    item = Math.Min(item < 0 ? ~item : item, itemCount - 1);
                    if (seen.Add(item))
                    {
                        row[filled++] = item;
                    }
                }

                row.Sort();
            }
        });

        return new Interactions(userCount, itemCount, rowPointers, columns);
    }
}
