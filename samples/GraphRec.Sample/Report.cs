using System.Diagnostics;
using System.Text.Json;
using GraphRec.Metrics;

namespace GraphRec.Sample;

/// <summary>The configuration recorded in metrics.json; <see cref="EvalUsers"/> is null when every test user was evaluated.</summary>
internal sealed record RunConfig(
    int Dim, int Layers, int Epochs, int BatchSize, double Lr, double Decay, int Seed, string Split, double TestRatio, double ValRatio,
    int EvalEvery, int? Patience, int Threads, IReadOnlyList<int> K, string Sampler, int Rank, double Alpha,
    IReadOnlyList<int> LrMilestones, double LrDecay, string Precision, string Training, int HistoryRefreshes, int? EvalUsers, int? EvalSeed);

/// <summary>One epoch in metrics.json.</summary>
internal sealed record HistoryEntry(int Epoch, double Loss, double Seconds, IReadOnlyDictionary<string, double>? Validation);

/// <summary>metrics.json: one object, keys documented in docs/getting-started.md.</summary>
internal sealed record MetricsReport(
    string Model, string Dataset, int Users, int Items, int Interactions, int TrainInteractions, int ValidationInteractions, int TestInteractions,
    int DroppedTestInteractions, int DroppedValidationInteractions, RunConfig Config, int EpochsRun, int BestEpoch, double? SecondsPerEpoch, double TrainSeconds, double EvalSeconds,
    double PeakWorkingSetMb, IReadOnlyDictionary<string, double>? Test, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Baselines,
    IReadOnlyList<HistoryEntry> History)
{
    // No named literals: the schema's metrics are numbers, and a "NaN" string in their place would be a lie to a reader.
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Mean per metric and K, plus coverage: <c>precision@10</c>, ..., <c>coverage@20</c>.</summary>
    public static IReadOnlyDictionary<string, double> Flatten(RankingEvaluation evaluation)
    {
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, summary) in evaluation.Summaries)
        {
            values[key] = summary.Mean;
        }

        foreach (var (key, coverage) in evaluation.Coverage)
        {
            values[key] = coverage;
        }

        return values;
    }

    public static double PeakWorkingSetMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    public Task WriteAsync(string path, CancellationToken cancellationToken) =>
        OutputFolder.WriteAsync(path, async temporary =>
        {
            await using var stream = File.Create(temporary);
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
        });
}
