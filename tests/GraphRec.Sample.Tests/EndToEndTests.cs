using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GraphRec.Data;

namespace GraphRec.Sample.Tests;

/// <summary>The real commands, in process: train, then recommend, similar and evaluate on the saved model.</summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-sample-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>MovieLens 100K's layout with 60 users and 40 movies in two taste groups, written the way GroupLens does.</summary>
    private string WriteSmallMl100K()
    {
        string folder = Path.Combine(_folder, "data", "ml-100k");
        Directory.CreateDirectory(folder);
        var random = new Random(3);
        var ratings = new StringBuilder();
        for (int user = 1; user <= 60; user++)
        {
            int first = user <= 30 ? 1 : 21;
            for (int item = first; item < first + 20; item++)
            {
                if (random.NextDouble() < 0.6)
                {
                    ratings.Append(CultureInfo.InvariantCulture, $"{user}\t{item}\t{1 + random.Next(5)}\t{880_000_000 + random.Next(1_000_000)}\n");
                }
            }
        }

        File.WriteAllText(Path.Combine(folder, "u.data"), ratings.ToString());
        var items = new StringBuilder();
        for (int item = 1; item <= 40; item++)
        {
            string flags = string.Join('|', Enumerable.Range(0, 19).Select(g => g == item % 19 ? "1" : "0"));
            items.Append(CultureInfo.InvariantCulture, $"{item}|Café Movie {item} ({1980 + item})|01-Jan-{1980 + item}||http://example.org/{item}|{flags}\n");
        }

        File.WriteAllText(Path.Combine(folder, "u.item"), items.ToString(), Encoding.Latin1);
        File.WriteAllText(Path.Combine(folder, "u.user"), string.Concat(Enumerable.Range(1, 60).Select(u => $"{u}|30|F|writer|02139\n")));
        return Path.Combine(_folder, "data");
    }

    [Fact]
    public async Task Train_then_recommend_similar_and_evaluate_on_the_saved_model()
    {
        string data = WriteSmallMl100K();
        string output = Path.Combine(_folder, "out");

        int trained = await Cli.RunAsync(["train", "--data-dir", data, "--epochs", "4", "--eval-every", "2", "--dim", "16", "--batch-size", "128", "--k", "5", "10", "--output", output]);

        Assert.Equal(0, trained);
        foreach (var file in new[] { "model.graphrec", "metrics.json", "loss.png", "precision.png", "recall.png" })
        {
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, $"{file} missing or empty");
        }

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!;
        Assert.Equal(60, (int)metrics["users"]!);
        Assert.Equal(40, (int)metrics["items"]!);
        int parts = (int)metrics["train_interactions"]! + (int)metrics["validation_interactions"]! + (int)metrics["test_interactions"]! + (int)metrics["dropped_test_interactions"]!;
        Assert.InRange(parts, (int)metrics["interactions"]! * 0.95, (int)metrics["interactions"]!); // the rest: dropped validation
        Assert.Equal(4, metrics["history"]!.AsArray().Count);
        Assert.NotNull(metrics["history"]![1]!["validation"]!["recall@10"]);
        Assert.NotNull(metrics["baselines"]!["pure_svd"]!["ndcg@5"]);
        Assert.NotNull(metrics["baselines"]!["gf_cf"]!["ndcg@5"]);
        Assert.Equal("lightgcn", (string)metrics["model"]!);
        Assert.Equal("random", (string)metrics["config"]!["split"]!);

        string model = Path.Combine(output, "model.graphrec");
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", model, "--user", "1", "--k", "3"]));
        Assert.Equal(0, await Cli.RunAsync(["similar", "--model", model, "--item", "1", "--k", "3"]));
        using (var console = new CapturedConsole())
        {
            // The saved model knows only its train part; evaluate excludes the split's validation part as train did.
            Assert.Equal(0, await Cli.RunAsync(["evaluate", "--model", model, "--data-dir", data, "--k", "5"]));
            var shown = Regex.Match(console.Shown, @"ndcg@5\s+(\d\.\d{4})");
            Assert.True(shown.Success, console.Shown);
            Assert.Equal(((double)metrics["test"]!["ndcg@5"]!).ToString("F4", CultureInfo.InvariantCulture), shown.Groups[1].Value);
        }

        // Mistakes a person can make: one message, exit code 1.
        Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model, "--user", "999"]));
        Assert.Equal(1, await Cli.RunAsync(["similar", "--model", model, "--item", "999"]));
        Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", Path.Combine(_folder, "missing.graphrec"), "--user", "1"]));
        File.WriteAllBytes(Path.Combine(_folder, "cut.graphrec"), File.ReadAllBytes(model)[..100]);
        Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", Path.Combine(_folder, "cut.graphrec"), "--user", "1"]));
        Assert.Equal(1, await Cli.RunAsync(["train", "--data-dir", Path.Combine(_folder, "nowhere"), "--dataset", "ml-1m", "--epochs", "1", "--output", output]));
    }

    [Fact]
    public async Task Training_on_historical_layers_trains_a_model_that_recommends_and_records_the_mode_in_metrics_json()
    {
        string data = WriteSmallMl100K();
        string output = Path.Combine(_folder, "historical");

        Assert.Equal(0, await Cli.RunAsync(["train", "--data-dir", data, "--dim", "8", "--epochs", "2", "--k", "5", "--training", "historical", "--history-refreshes", "2", "--output", output]));
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", Path.Combine(output, "model.graphrec"), "--user", "1", "--k", "3"]));

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var config = JsonNode.Parse(File.ReadAllText(metricsPath))!["config"]!;
        Assert.Equal("historical", (string)config["training"]!);
        Assert.Equal(2, (int)config["history_refreshes"]!);
    }

    [Fact]
    public async Task A_sampled_evaluation_says_it_is_a_sample_on_the_console_and_in_metrics_json()
    {
        string data = WriteSmallMl100K();
        string output = Path.Combine(_folder, "sampled");
        var shown = new StringWriter();
        var before = Console.Out;
        Console.SetOut(shown);
        try
        {
            Assert.Equal(0, await Cli.RunAsync(["train", "--model", "gf-cf", "--data-dir", data, "--rank", "16", "--k", "5", "--eval-users", "12", "--eval-seed", "4", "--output", output]));
            Assert.Equal(0, await Cli.RunAsync(["evaluate", "--model", Path.Combine(output, "model.graphrec"), "--data-dir", data, "--k", "5", "--eval-users", "12", "--eval-seed", "4"]));
        }
        finally
        {
            Console.SetOut(before);
        }

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var config = JsonNode.Parse(File.ReadAllText(metricsPath))!["config"]!;
        Assert.Equal(12, (int)config["eval_users"]!);
        Assert.Equal(4, (int)config["eval_seed"]!);
        var sampledLines = shown.ToString().Split('\n').Where(line => line.Contains("SAMPLED: 12 of the ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sampledLines.Count); // train's table and evaluate's
        Assert.All(sampledLines, line => Assert.Contains("seed 4", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Train_gf_cf_then_recommend_for_a_new_user_from_its_items()
    {
        string data = WriteSmallMl100K();
        string output = Path.Combine(_folder, "filter");

        Assert.Equal(0, await Cli.RunAsync(["train", "--model", "gf-cf", "--data-dir", data, "--rank", "16", "--k", "5", "10", "--output", output]));

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!;
        Assert.Equal("gf-cf", (string)metrics["model"]!);
        Assert.Equal(0, (int)metrics["epochs_run"]!);
        Assert.Empty(metrics["history"]!.AsArray());
        Assert.Equal(16, (int)metrics["config"]!["rank"]!);
        Assert.Null(metrics["config"]!["eval_users"]);
        Assert.True((double)metrics["test"]!["recall@10"]! > 0);
        Assert.Null(metrics["baselines"]!["gf_cf"]);
        Assert.False(File.Exists(Path.Combine(output, "loss.png")));

        string model = Path.Combine(output, "model.graphrec");
        var errors = new StringWriter();
        var before = Console.Error;
        Console.SetError(errors);
        try
        {
            Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", model, "--items", "1,2,999,3", "--k", "3"]));
            Assert.Contains("not in the model, left out: item id 999", errors.ToString(), StringComparison.Ordinal);
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model, "--items", ""]));
            Assert.Contains("--items needs at least one item id", errors.ToString(), StringComparison.Ordinal);
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model, "--items", "998,999"]));
            Assert.Contains("None of the item ids \"998\", \"999\" is in the model", errors.ToString(), StringComparison.Ordinal);
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model, "--items", "1,,x"]));
            Assert.Contains("has an empty one", errors.ToString(), StringComparison.Ordinal);
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model, "--items", "1", "--user", "1"]));
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", model]));
        }
        finally
        {
            Console.SetError(before);
        }

        Assert.Equal(0, await Cli.RunAsync(["similar", "--model", model, "--item", "1", "--k", "3"]));
        Assert.Equal(0, await Cli.RunAsync(["evaluate", "--model", model, "--data-dir", data, "--k", "5"]));
        Assert.Equal(0, await Cli.RunAsync(["newusers", "--data-dir", data, "--user-share", "0.2", "--epochs", "2", "--k", "5"]));
        Assert.Equal(1, await Cli.RunAsync(["train", "--model", "gf-cf", "--data-dir", data, "--resume", Path.Combine(_folder, "resume"), "--output", output]));
    }

    [Theory]
    [InlineData("bspm")]
    [InlineData("chebycf")]
    [InlineData("spectral")]
    public async Task Train_a_spectral_filter_then_recommend_for_a_new_user_and_load_it_back(string name)
    {
        string data = WriteSmallMl100K();
        string output = Path.Combine(_folder, name);
        string optionsFile = Path.Combine(_folder, "spectral.json");
        File.WriteAllText(optionsFile, """{ "Polynomial": [0, 0.5, 0.5], "InputNormalization": 0.3, "IdealNormalization": 0.3, "Rank": 8, "Alpha": 0.1, "SharpeningTime": 0.5 }""");
        string[] extra = name == "spectral" ? ["--spectral-options", optionsFile] : [];

        Assert.Equal(0, await Cli.RunAsync(["train", "--model", name, "--data-dir", data, "--k", "5", "10", "--output", output, .. extra]));

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!;
        Assert.Equal("spectral", (string)metrics["model"]!);
        Assert.Equal(0, (int)metrics["epochs_run"]!);
        Assert.True((double)metrics["test"]!["recall@10"]! > 0);
        string model = Path.Combine(output, "model.graphrec");
        using (var loaded = await GraphRec.Core.SpectralFilter.LoadAsync(model))
        {
            Assert.Equal(name switch { "bspm" => 2.5, "spectral" => 0.5, _ => 0.0 }, loaded.Options.SharpeningTime);
        }

        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", model, "--items", "1,2,3", "--k", "3"]));
        Assert.Equal(0, await Cli.RunAsync(["similar", "--model", model, "--item", "1", "--k", "3"]));
        Assert.Equal(0, await Cli.RunAsync(["evaluate", "--model", model, "--data-dir", data, "--k", "5"]));
        Assert.Equal(1, await Cli.RunAsync(["train", "--model", "spectral", "--data-dir", data, "--output", output]));
    }

    [Fact]
    public async Task Spectral_options_with_a_key_that_names_no_option_are_refused_with_the_key_named()
    {
        string data = WriteSmallMl100K();
        string optionsFile = Path.Combine(_folder, "snake-case.json");
        File.WriteAllText(optionsFile, """{ "chebyshev_coefficients": [0.5, -0.5], "Rank": 8 }""");
        var previous = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        int code;
        try
        {
            code = await Cli.RunAsync(["train", "--model", "spectral", "--spectral-options", optionsFile, "--data-dir", data, "--output", Path.Combine(_folder, "never")]);
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(1, code);
        Assert.Contains("chebyshev_coefficients", errors.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "never", "model.graphrec")));
    }

    [SkippableFact]
    public async Task Real_ml100k_through_the_sample_trains_and_recommends()
    {
        string? data = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR");
        Skip.If(data is null || !Directory.Exists(Path.Combine(data, "ml-100k")) && !File.Exists(Path.Combine(data, "ml-100k.zip")),
            "GRAPHREC_DATA_DIR is not set or has no ml-100k: the real-data run of the sample is skipped.");
        string output = Path.Combine(_folder, "real");

        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data!, "--epochs", "3", "--output", output]));

        string metricsPath = Path.Combine(output, "metrics.json");
        MetricsSchema.AssertMatches(metricsPath);
        var metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!;
        Assert.Equal((943, 1682, 100_000), ((int)metrics["users"]!, (int)metrics["items"]!, (int)metrics["interactions"]!));
        Assert.True((double)metrics["test"]!["recall@20"]! > (double)metrics["baselines"]!["most_popular"]!["recall@20"]! * 0.8);
        Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", Path.Combine(output, "model.graphrec"), "--user", "1"]));
    }

    [SkippableFact]
    public async Task Real_ml100k_as_a_csv_with_string_ids_through_the_sample_gives_metrics_within_the_intervals_of_ml100k()
    {
        string? data = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR");
        Skip.If(data is null || !File.Exists(Path.Combine(data, "ml-100k", "u.data")),
            "GRAPHREC_DATA_DIR is not set or has no ml-100k/u.data: the real-data comparison of --dataset csv with --dataset ml-100k is skipped.");
        string csv = Path.Combine(_folder, "ml-100k.csv");
        var export = new StringBuilder("customer,product,stars,rated_at\n");
        foreach (string line in await File.ReadAllLinesAsync(Path.Combine(data!, "ml-100k", "u.data")))
        {
            string[] fields = line.Split('\t');
            export.Append(CultureInfo.InvariantCulture, $"u{fields[0]},i{fields[1]},{fields[2]},{fields[3]}\n");
        }

        await File.WriteAllTextAsync(csv, export.ToString());
        string[] same = ["--model", "gf-cf", "--val-ratio", "0", "--k", "20"];
        Assert.Equal(0, await Cli.RunAsync(["--data-dir", data!, "--output", Path.Combine(_folder, "provider"), .. same]));
        Assert.Equal(0, await Cli.RunAsync(["--dataset", "csv", "--file", csv, "--user-column", "customer", "--item-column", "product",
            "--rating-column", "stars", "--time-column", "rated_at", "--output", Path.Combine(_folder, "csv"), .. same]));

        // Each run's test means, with the 95% intervals of the same evaluation redone on its saved model and split.
        var provider = await TestMetricsAsync(Path.Combine(_folder, "provider"), await new MovieLensProvider(MovieLensRelease.Ml100K,
            new MovieLensOptions { DataDirectory = data, AllowDownload = false }).LoadAsync());
        var builder = new InteractionDatasetBuilder("ml-100k");
        await builder.AddDelimitedFileAsync(csv, new InteractionColumns("customer", "product") { Rating = "stars", Timestamp = "rated_at" });
        var fromCsv = await TestMetricsAsync(Path.Combine(_folder, "csv"), builder.Build());
        foreach (string metric in new[] { "recall@20", "ndcg@20", "precision@20" })
        {
            Assert.InRange(fromCsv[metric].Mean, provider[metric].Lower, provider[metric].Upper);
            Assert.InRange(provider[metric].Mean, fromCsv[metric].Lower, fromCsv[metric].Upper);
        }
    }

    /// <summary>The run's metrics.json test means, checked against the saved model evaluated again on the sample's split, with that evaluation's intervals.</summary>
    private static async Task<IReadOnlyDictionary<string, GraphRec.Metrics.MetricSummary>> TestMetricsAsync(string output, InteractionDataset dataset)
    {
        var metrics = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json")))!;
        using var model = await GraphRec.Core.Recommenders.LoadAsync(Path.Combine(output, "model.graphrec"));
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 2020));
        var evaluation = model.Evaluate(split.Test, [20]);
        Assert.Equal((double)metrics["test"]!["recall@20"]!, evaluation.Summaries["recall@20"].Mean, 6);
        return evaluation.Summaries;
    }
}
