using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Benchmarks;

/// <summary>What the Gowalla benchmark measured, written as JSON.</summary>
internal sealed record GowallaReport(
    string Machine, int Threads, int Seed, string Sampler, int Users, int Items, int TrainInteractions, int TestInteractions,
    int Epochs, int BatchSize, double LearningRate, double Decay, int Dim, int Layers,
    double LoadSeconds, IReadOnlyList<double> EpochSeconds, double SecondsPerEpoch, IReadOnlyList<double> EpochLoss,
    double EvalSeconds, double PeakWorkingSetMb, IReadOnlyDictionary<string, double> Test);

/// <summary>
/// Trains LightGCN on Gowalla (the LightGCN paper's split) with the paper's hyperparameters, then evaluates over the
/// full catalogue at K = 20, and reports seconds per epoch, evaluation seconds, peak working set and the metrics.
/// </summary>
internal static class GowallaBenchmark
{
    /// <summary>GF-CF on Gowalla: no training; the filter's preparation (its randomized SVD) and the full evaluation.</summary>
    public static async Task<int> RunGraphFilterAsync(string folder, string output, CancellationToken cancellationToken)
    {
        var (split, filter, prepareSeconds) = await FitGraphFilterAsync(folder, cancellationToken);
        using var disposeFilter = filter;
        var clock = Stopwatch.StartNew();
        var evaluation = filter.Evaluate(split.Test, [20], cancellationToken: cancellationToken);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        var report = new GraphFilterReport(Machine.Describe(), "gf-cf", 256, 0.3, prepareSeconds, evalSeconds, prepareSeconds + evalSeconds,
            Machine.PeakWorkingSetMegabytes(), evaluation.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean));
        Console.WriteLine($"gf-cf: preparation {prepareSeconds:F1} s, evaluation {evalSeconds:F1} s, peak working set {report.PeakWorkingSetMb:F0} MB");
        foreach (var key in new[] { "recall@20", "ndcg@20", "precision@20" })
        {
            Console.WriteLine($"{key}: {report.Test[key]:F4}");
        }

        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }

    /// <summary>GF-CF with its defaults fitted to Gowalla's predefined split, and the seconds the fit took.</summary>
    private static async Task<(DatasetSplit Split, SpectralFilter Filter, double PrepareSeconds)> FitGraphFilterAsync(string folder, CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var split = dataset.PredefinedSplit!;
        var clock = Stopwatch.StartNew();
        var filter = SpectralFilter.Fit(dataset, split, SpectralFilterOptions.GfCf(), cancellationToken: cancellationToken);
        return (split, filter, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Whether sampled evaluation estimates the full one on Gowalla: GF-CF fitted once, evaluated on every test user,
    /// then on <paramref name="sampleUsers"/> users drawn with each seed from 1 to <paramref name="seeds"/>, counting the
    /// metrics whose 95% interval contains the full evaluation's mean.
    /// </summary>
    public static async Task<int> RunSampledEvaluationAsync(string folder, int sampleUsers, int seeds, string output, CancellationToken cancellationToken)
    {
        var (split, filter, prepareSeconds) = await FitGraphFilterAsync(folder, cancellationToken);
        using var disposeFilter = filter;
        var clock = Stopwatch.StartNew();
        var full = filter.Evaluate(split.Test, cancellationToken: cancellationToken);
        double fullSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"gf-cf: preparation {prepareSeconds:F1} s; full evaluation of {full.Users.Count:N0} users {fullSeconds:F1} s");

        var samples = new List<SampledEvaluationRun>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            clock.Restart();
            var sampled = filter.Evaluate(split.Test, sampleUsers: sampleUsers, sampleSeed: seed, cancellationToken: cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            var missed = full.Summaries.Keys.Order(StringComparer.Ordinal)
                .Where(key => full.Summaries[key].Mean < sampled.Summaries[key].Lower || full.Summaries[key].Mean > sampled.Summaries[key].Upper).ToList();
            samples.Add(new SampledEvaluationRun(seed, sampled.Users.Count, sampled.SampledFrom ?? sampled.Users.Count, seconds,
                sampled.Summaries.Count - missed.Count, sampled.Summaries.Count, missed, sampled.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value)));
            Console.WriteLine($"seed {seed}: {sampled.Users.Count:N0} of {sampled.SampledFrom:N0} users in {seconds:F1} s; " +
                $"{sampled.Summaries.Count - missed.Count} of {sampled.Summaries.Count} intervals contain the full mean" + (missed.Count == 0 ? "" : $" (not: {string.Join(", ", missed)})"));
            foreach (var key in new[] { "recall@20", "ndcg@20" })
            {
                var summary = sampled.Summaries[key];
                Console.WriteLine($"  {key}: {summary.Mean:F4} [{summary.Lower:F4}, {summary.Upper:F4}], full {full.Summaries[key].Mean:F4}");
            }
        }

        int contained = samples.Sum(s => s.Contained), intervals = samples.Sum(s => s.Intervals);
        Console.WriteLine($"{contained} of {intervals} intervals over {seeds} seeds contain the full evaluation's mean");
        await Report.WriteAsync(output, new SampledEvaluationReport(Machine.Describe(), "gf-cf", prepareSeconds, full.Users.Count, fullSeconds,
            full.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value), samples, contained, intervals), cancellationToken);
        return 0;
    }

    /// <summary>
    /// A spectral filter (<see cref="SpectralFilter"/>) on Gowalla: its preparation (the randomized SVD) and the full
    /// evaluation, with <paramref name="options"/> as given (a published recipe or a tuned one).
    /// </summary>
    public static async Task<int> RunSpectralFilterAsync(string folder, string name, SpectralFilterOptions options, int? resplitSeed, string output, CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var split = RandomResplit.Of(dataset.PredefinedSplit!, resplitSeed);
        var clock = Stopwatch.StartNew();
        using var filter = SpectralFilter.Fit(dataset, split, options, cancellationToken: cancellationToken);
        double prepareSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var evaluation = filter.Evaluate(split.Test, [20], cancellationToken: cancellationToken);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        var report = new SpectralFilterReport(Machine.Describe(), name, filter.Options, prepareSeconds, evalSeconds, prepareSeconds + evalSeconds,
            Machine.PeakWorkingSetMegabytes(), evaluation.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean));
        Console.WriteLine($"{name}: preparation {prepareSeconds:F1} s, evaluation {evalSeconds:F1} s, peak working set {report.PeakWorkingSetMb:F0} MB");
        foreach (var key in new[] { "recall@20", "ndcg@20", "precision@20" })
        {
            Console.WriteLine($"{key}: {report.Test[key]:F4}");
        }

        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }

    public static async Task<int> RunAsync(string folder, int epochs, int threads, int seed, string samplerName, string output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var split = dataset.PredefinedSplit!;
        double loadSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"gowalla: {dataset.Users.Count} users, {dataset.Items.Count} items, train {split.Train.Count}, test {split.Test.Count}; loaded in {loadSeconds:F2} s");

        // The paper's hyperparameters.
        var options = new LightGcnOptions { Seed = seed, Epochs = epochs, BatchSize = 2048, LearningRate = 0.001, WeightDecay = 1e-4, Cutoffs = [20], Threads = threads };
        var sampler = samplerName == "user" ? Samplers.UniformUsers(seed, threads) : Samplers.EveryInteraction(seed, threads);
        var progress = new InlineProgress(p =>
        {
            if (p.Batch % 50 == 0 || p.Batch == p.Batches)
            {
                Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches}: loss {p.Loss:F5}, {p.TriplesPerSecond:N0} triples/s");
            }
        });
        using var model = LightGcn.Train(dataset, split, options, sampler, progress: progress, cancellationToken: cancellationToken);

        clock.Restart();
        var evaluation = model.Evaluate(split.Test, cancellationToken: cancellationToken);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        var seconds = model.History.Select(h => h.Seconds).ToArray();
        var report = new GowallaReport(
            Machine.Describe(), threads, seed, sampler.GetType().Name, dataset.Users.Count, dataset.Items.Count, split.Train.Count, split.Test.Count,
            model.History.Count, options.BatchSize, options.LearningRate, options.WeightDecay, options.EmbeddingDimension, options.Layers,
            loadSeconds, seconds, seconds.Average(), [.. model.History.Select(h => h.Loss)], evalSeconds,
            Machine.PeakWorkingSetMegabytes(),
            evaluation.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean));

        Console.WriteLine($"seconds per epoch: {report.SecondsPerEpoch:F2} ({string.Join(", ", seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"evaluation: {evalSeconds:F2} s; peak working set {report.PeakWorkingSetMb:F0} MB");
        foreach (var key in new[] { "recall@20", "ndcg@20", "precision@20" })
        {
            Console.WriteLine($"{key}: {report.Test[key]:F4}");
        }

        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }
}

/// <summary>One seed's sampled evaluation against the full one.</summary>
internal sealed record SampledEvaluationRun(
    int Seed, int Users, int SampledFrom, double Seconds, int Contained, int Intervals, IReadOnlyList<string> Missed, IReadOnlyDictionary<string, MetricSummary> Summaries);

/// <summary>Sampled evaluations on Gowalla against the full one.</summary>
internal sealed record SampledEvaluationReport(
    string Machine, string Model, double PrepareSeconds, int FullUsers, double FullSeconds, IReadOnlyDictionary<string, MetricSummary> Full,
    IReadOnlyList<SampledEvaluationRun> Samples, int Contained, int Intervals);

/// <summary>What the graph filter measured on Gowalla.</summary>
internal sealed record GraphFilterReport(
    string Machine, string Model, int Rank, double Alpha, double PrepareSeconds, double EvalSeconds, double TotalSeconds, double PeakWorkingSetMb,
    IReadOnlyDictionary<string, double> Test);

/// <summary>What a spectral filter measured on Gowalla, with the options it ran with.</summary>
internal sealed record SpectralFilterReport(
    string Machine, string Model, SpectralFilterOptions Options, double PrepareSeconds, double EvalSeconds, double TotalSeconds, double PeakWorkingSetMb,
    IReadOnlyDictionary<string, double> Test);

/// <summary>Reports on the calling thread, so lines come out in order.</summary>
internal sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}

/// <summary>The machine a figure came from, and the process's peak memory.</summary>
internal static class Machine
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return $"{cpu}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>The peak resident set (VmHWM on Linux), in MB.</summary>
    public static double PeakWorkingSetMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    public static double WorkingSetMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }
}

/// <summary>Writes a report as indented snake_case JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync<T>(string path, T report, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        await using (var stream = File.Create(path))
        {
            await JsonSerializer.SerializeAsync(stream, report, Options, cancellationToken);
        }

        Console.WriteLine($"wrote {Path.GetFullPath(path)}");
    }
}
