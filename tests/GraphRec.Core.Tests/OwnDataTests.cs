using System.Globalization;
using System.Text;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core.Tests;

/// <summary>One's own events through <see cref="InteractionDatasetBuilder"/> train and evaluate as a provider's do.</summary>
public sealed class OwnDataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-own-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// MovieLens 100K exported to a CSV with string ids (u1, i50) and read back by its column names is the same data
    /// under other names: ordered by text, its indices differ, so the random split differs; GF-CF's test metrics must
    /// still fall within each other's 95% intervals.
    /// </summary>
    [SkippableFact]
    public async Task Real_ml100k_as_a_csv_with_string_ids_gives_metrics_within_the_intervals_of_the_provider()
    {
        string? directory = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR");
        Skip.If(string.IsNullOrEmpty(directory) || !Directory.Exists(Path.Combine(directory, "ml-100k")),
            "GRAPHREC_DATA_DIR does not hold ml-100k/: the integration test on MovieLens 100K is skipped.");
        var provided = await new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { DataDirectory = directory, AllowDownload = false }).LoadAsync();
        string csv = Path.Combine(_folder, "ml-100k.csv");
        var export = new StringBuilder("rated_at,customer,stars,product\n");
        foreach (string line in await File.ReadAllLinesAsync(Path.Combine(directory!, "ml-100k", "u.data")))
        {
            string[] fields = line.Split('\t');
            export.Append(CultureInfo.InvariantCulture, $"{fields[3]},u{fields[0]},{fields[2]},i{fields[1]}\n");
        }

        await File.WriteAllTextAsync(csv, export.ToString());
        var builder = new InteractionDatasetBuilder("ml-100k-csv");
        await builder.AddDelimitedFileAsync(csv, new InteractionColumns("customer", "product") { Rating = "stars", Timestamp = "rated_at" });
        var fromCsv = builder.Build();

        Assert.False(fromCsv.Users.IsNumeric);
        Assert.Equal((provided.Users.Count, provided.Items.Count, provided.Interactions.Count), (fromCsv.Users.Count, fromCsv.Items.Count, fromCsv.Interactions.Count));
        Assert.Equal(provided.Users.Ids.Select(id => "u" + id).Order(StringComparer.Ordinal), fromCsv.Users.Ids);
        var expected = Evaluate(provided);
        var actual = Evaluate(fromCsv);
        foreach (string metric in new[] { MetricNames.Recall, MetricNames.Ndcg })
        {
            var (a, b) = (expected.Summaries[MetricNames.Key(metric, 20)], actual.Summaries[MetricNames.Key(metric, 20)]);
            Assert.InRange(b.Mean, a.Lower, a.Upper);
            Assert.InRange(a.Mean, b.Lower, b.Upper);
        }
    }

    private static RankingEvaluation Evaluate(InteractionDataset dataset)
    {
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 2020));
        using var model = SpectralFilter.Fit(dataset, split);
        return model.Evaluate(split.Test, [20]);
    }
}
