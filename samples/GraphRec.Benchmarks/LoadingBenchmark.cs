using System.Diagnostics;
using System.Globalization;
using System.Text;
using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>What the loading benchmark measured.</summary>
internal sealed record LoadingReport(
    string Machine, int Ml1mRatings, double Ml1mSeconds, long CsvLines, double CsvFileMb, double CsvSeconds,
    double CsvPeakWorkingSetMb, int CsvUsers, int CsvItems, int CsvInteractions);

/// <summary>
/// Generates files of the real formats in a scratch folder (never the real data) and times loading them: ML-1M's
/// <c>::</c> files with 1,000,209 ratings, then an ml-25m-style <c>ratings.csv</c>, whose peak working set is measured
/// in a separate process so that the first load does not count.
/// </summary>
internal static class LoadingBenchmark
{
    public static async Task<int> RunAsync(string workDirectory, long csvLines, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDirectory);
        string ml1m = Path.Combine(workDirectory, "ml-1m");
        const int ratings = 1_000_209;
        if (!File.Exists(Path.Combine(ml1m, "ratings.dat")))
        {
            WriteMl1M(ml1m, ratings, users: 6040, items: 3706);
        }

        var provider = new MovieLensProvider(MovieLensRelease.Ml1M, new MovieLensOptions { DataDirectory = workDirectory, AllowDownload = false });
        await provider.LoadAsync(cancellationToken); // warm-up: JIT and file cache
        var clock = Stopwatch.StartNew();
        var dataset = await provider.LoadAsync(cancellationToken);
        double ml1mSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"ml-1m format: {dataset.Interactions.Count:N0} ratings, {dataset.Users.Count} users, {dataset.Items.Count} items in {ml1mSeconds:F2} s");

        string ml25m = Path.Combine(workDirectory, "ml-25m");
        string csv = Path.Combine(ml25m, "ratings.csv");
        if (!File.Exists(csv) || CountLinesCached(csv) != csvLines)
        {
            WriteCsv(ml25m, csvLines, users: 162_541, items: 59_047);
        }

        // The CSV load runs in a child process so its peak working set is its own.
        var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, [.. ChildArguments(), "load-csv", "--data-dir", workDirectory])
        {
            RedirectStandardOutput = true,
        })!;
        string childOutput = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        if (child.ExitCode != 0)
        {
            Console.Error.WriteLine(childOutput);
            return child.ExitCode;
        }

        var fields = childOutput.Trim().Split(' ');
        var report = new LoadingReport(Machine.Describe(), dataset.Interactions.Count, ml1mSeconds, csvLines,
            new FileInfo(csv).Length / (1024.0 * 1024.0), double.Parse(fields[0], CultureInfo.InvariantCulture),
            double.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture), int.Parse(fields[4], CultureInfo.InvariantCulture));
        Console.WriteLine($"ratings.csv: {csvLines:N0} lines ({report.CsvFileMb:F0} MB) in {report.CsvSeconds:F2} s, peak working set {report.CsvPeakWorkingSetMb:F0} MB");
        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }

    /// <summary>The child's side: load ml-25m from the folder, print "seconds peakMb users items interactions".</summary>
    public static async Task<int> LoadCsvAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var dataset = await new MovieLensProvider(MovieLensRelease.Ml25M, new MovieLensOptions { DataDirectory = workDirectory, AllowDownload = false })
            .LoadAsync(cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seconds:F3} {Machine.PeakWorkingSetMegabytes():F1} {dataset.Users.Count} {dataset.Items.Count} {dataset.Interactions.Count}"));
        return 0;
    }

    /// <summary>The arguments that start this program again as a child process (its assembly when run by <c>dotnet</c>).</summary>
    internal static string[] ChildArguments() =>
        Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? [typeof(LoadingBenchmark).Assembly.Location] : [];

    private static long CountLinesCached(string csv)
    {
        string marker = csv + ".lines";
        return File.Exists(marker) ? long.Parse(File.ReadAllText(marker), CultureInfo.InvariantCulture) : -1;
    }

    private static void WriteMl1M(string folder, int ratings, int users, int items)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        using (var writer = new StreamWriter(Path.Combine(folder, "movies.dat"), false, Encoding.Latin1))
        {
            for (int item = 1; item <= items; item++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{item}::Misérables, Les {item} ({1919 + (item % 80)})::Drama|Romance\n"));
            }
        }

        using (var writer = new StreamWriter(Path.Combine(folder, "users.dat"), false, Encoding.Latin1))
        {
            for (int user = 1; user <= users; user++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{user}::F::25::{user % 21}::02139\n"));
            }
        }

        using var ratingsWriter = new StreamWriter(Path.Combine(folder, "ratings.dat"), false, Encoding.Latin1, 1 << 16);
        WriteDistinctPairs(ratings, users, items, random, (user, item, rating, time) =>
            ratingsWriter.Write(string.Create(CultureInfo.InvariantCulture, $"{user}::{item}::{rating}::{time}\n")));
    }

    private static void WriteCsv(string folder, long lines, int users, int items)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(2);
        using (var writer = new StreamWriter(Path.Combine(folder, "movies.csv"), false, new UTF8Encoding(false)))
        {
            writer.Write("movieId,title,genres\n");
            for (int item = 1; item <= items; item++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{item},\"Good, the Bad and the Ugly {item}, The (1966)\",Action|Western\n"));
            }
        }

        string csv = Path.Combine(folder, "ratings.csv");
        using (var writer = new StreamWriter(csv, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("userId,movieId,rating,timestamp\n");
            // Users in ascending order with about the same number of ratings each, as in ml-25m; the pairs may repeat,
            // which exercises the duplicate collapse at scale.
            long perUser = (lines + users - 1) / users;
            long written = 0;
            for (int user = 1; written < lines; user++)
            {
                for (long r = 0; r < perUser && written < lines; r++, written++)
                {
                    int item = 1 + random.Next(items);
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{user},{item},{(1 + random.Next(10)) / 2.0:0.0},{1_500_000_000 + random.Next(100_000_000)}\n"));
                }
            }
        }

        File.WriteAllText(csv + ".lines", lines.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteDistinctPairs(int count, int users, int items, Random random, Action<int, int, int, long> write)
    {
        var seen = new HashSet<long>();
        while (seen.Count < count)
        {
            int user = 1 + random.Next(users), item = 1 + random.Next(items);
            if (seen.Add(((long)user << 32) | (uint)item))
            {
                write(user, item, 1 + random.Next(5), 956_703_932L + random.Next(10_000_000));
            }
        }
    }
}
