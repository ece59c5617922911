using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>What the memory benchmark measured.</summary>
internal sealed record MemoryReport(
    string Machine, int Epochs, IReadOnlyList<double> WorkingSetMbAfterEpoch, double GrowthAfterEpoch2Percent, double PeakWorkingSetMb);

/// <summary>
/// Trains LightGCN on MovieLens 100K for 20 epochs and records the process's working set after each: with dispose
/// scopes around every batch it must stay flat (at most 10% above its value after epoch 2).
/// </summary>
internal static class MemoryBenchmark
{
    public static async Task<int> RunAsync(string dataDirectory, int epochs, string output, CancellationToken cancellationToken)
    {
        var dataset = await new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { DataDirectory = dataDirectory, AllowDownload = false })
            .LoadAsync(cancellationToken);
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 2020));
        var workingSet = new List<double>();
        var progress = new InlineProgress(p =>
        {
            if (p.Batch == p.Batches)
            {
                workingSet.Add(Machine.WorkingSetMegabytes());
                Console.WriteLine($"epoch {p.Epoch,2}: loss {p.Loss:F4}, working set {workingSet[^1]:F0} MB (managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F0} MB, {GC.CollectionCount(2)} gen-2 collections)");
            }
        });
        // Validated after every epoch (on the test part), so that evaluation's memory is measured too.
        var options = new LightGcnOptions { Epochs = epochs, EvaluateEvery = 1 };
        using var model = LightGcn.Train(dataset, split with { Validation = split.Test }, options, progress: progress, cancellationToken: cancellationToken);

        double growth = 100 * ((workingSet.Skip(2).Max() / workingSet[1]) - 1);
        var report = new MemoryReport(Machine.Describe(), epochs, workingSet, growth, Machine.PeakWorkingSetMegabytes());
        Console.WriteLine($"largest working set after epoch 2 is {growth:+0.0;-0.0}% of the value after epoch 2 (goal: at most +10%)");
        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }
}
