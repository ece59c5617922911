using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Benchmarks;

/// <summary>What one phase of a training batch cost, in milliseconds per batch.</summary>
internal sealed record PhaseTiming(string Phase, double MeanMs);

/// <summary>Where Gowalla training batches spend their time, written as JSON.</summary>
internal sealed record PhasesReport(
    string Machine, int Threads, int Batches, int BatchSize, bool OwnOrder, TrainingPrecision Precision, double FullProductMs, double LocalityOrderProductMs, double BatchMs,
    IReadOnlyList<PhaseTiming> Phases);

/// <summary>
/// Times the phases of LightGCN's training step on the CPU kernel (<c>KernelTrainingStep</c>, what the trainer runs) on
/// Gowalla with the paper's hyperparameters: the forward rows, the loss with its autograd, the gradient of E(0) and
/// Adam's step (applied to each row of the gradient as it is computed); and the kernel's full product <c>Â X</c> for scale,
/// over Â in the nodes' own order and relabelled in the locality order the step trains in (<c>NodeOrder</c>).
/// </summary>
internal static class PhasesBenchmark
{
    private static readonly string[] Names = ["forward rows", "loss and its gradient", "gradient of E(0) and Adam"];

    public static async Task<int> RunAsync(string folder, int batches, int threads, bool ownOrder, TrainingPrecision precision, string output, CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var train = dataset.PredefinedSplit!.Train;
        var options = new LightGcnOptions { BatchSize = 2048, LearningRate = 0.001, WeightDecay = 1e-4, Threads = threads };
        using var adjacency = NormalizedAdjacency.FromInteractions(train, maxDegreeOfParallelism: threads);
        using var model = new LightGcnModel(adjacency, options);
        using var step = KernelTrainingStep.For(model, options.LearningRate, inLocalityOrder: !ownOrder, precision)
            ?? throw new InvalidOperationException("The kernel's training step does not apply here.");
        var loss = new BprLoss(options.WeightDecay);
        var triples = ((ParallelSampler)Samplers.UniformUsers(options.Seed, threads)).Sample(train, 1, reuse: null);
        int size = options.BatchSize;
        long[] before = [];
        var clock = new Stopwatch();
        for (int batch = 0; batch <= batches; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batch == 1)
            {
                // The first batch allocates the buffers; it is not timed.
                before = [.. step.PhaseTicks];
                clock.Start();
            }

            step.Run(loss, triples.BatchNodes(batch * size % (triples.Count - size), size, model.UserCount), size);
        }

        double batchMs = clock.Elapsed.TotalMilliseconds / batches;
        var phases = Names.Select((name, i) => new PhaseTiming(name, (step.PhaseTicks[i] - before[i]) * 1000.0 / Stopwatch.Frequency / batches)).ToArray();
        double fullProduct = FullProductMilliseconds(adjacency, model.Embedding);
        // The step already holds Â in the locality order unless it was told to keep the nodes' own.
        using var relabelled = ownOrder ? adjacency.Relabelled(NodeOrder.CuthillMcKee(adjacency)) : null;
        double localityOrderProduct = FullProductMilliseconds(relabelled ?? step.TrainingAdjacency, model.Embedding);
        var report = new PhasesReport(Machine.Describe(), threads, batches, size, ownOrder, precision, fullProduct, localityOrderProduct, batchMs, phases);
        Console.WriteLine(
            $"one full product Â X ([{adjacency.NodeCount} x 64], {adjacency.NonZeroCount:N0} non-zeros, median of 20): " +
            $"{fullProduct:F1} ms in the nodes' own order, {localityOrderProduct:F1} ms in the locality order");
        foreach (var phase in phases)
        {
            Console.WriteLine($"{phase.Phase,-18} {phase.MeanMs,6:F1} ms per batch");
        }

        Console.WriteLine($"{"batch",-18} {batchMs,6:F1} ms; x {(train.Count + size - 1) / size} batches = {batchMs * ((train.Count + size - 1) / size) / 1000:F1} s per epoch");
        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }

    /// <summary>The median time of the kernel's <c>Â X</c> into a buffer that is reused, as training's products are.</summary>
    private static double FullProductMilliseconds(NormalizedAdjacency adjacency, Tensor embedding)
    {
        float[] x = embedding.data<float>().ToArray();
        var y = new float[x.Length];
        var times = new List<double>();
        var clock = new Stopwatch();
        for (int i = 0; i < 21; i++)
        {
            clock.Restart();
            CsrKernel.Multiply(adjacency.Partition, x, y, (int)embedding.shape[1]);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times.Skip(1).Order().ElementAt(10);
    }
}
