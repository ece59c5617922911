using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;
using ScottPlot;

namespace GraphRec.Benchmarks;

/// <summary>Test accuracy after some epochs of a long run, and the training time it took to get there.</summary>
/// <param name="SecondsPerEpoch">The mean training seconds of the epochs since the previous point.</param>
internal sealed record ConvergencePoint(int Epoch, double TrainingSeconds, double Recall20, double Ndcg20, double SecondsPerEpoch = 0);

/// <summary>The curve so far.</summary>
internal sealed record ConvergenceReport(
    string Machine, string Sampler, double LearningRate, IReadOnlyList<int>? LearningRateMilestones, double LearningRateDecay, int BatchSize, IReadOnlyList<ConvergencePoint> Points,
    TrainingPrecision? Precision = null, int HistoryRefreshesPerEpoch = 0);

/// <summary>
/// LightGCN on Gowalla with the paper's hyperparameters, evaluated on the test split every few epochs: Recall and
/// NDCG@20 by epoch and by training seconds, next to the reference implementation's published end point. The run keeps
/// its checkpoint and curve in a state folder and continues from them, so that it can go on across sessions.
/// </summary>
internal static class ConvergeBenchmark
{
    private const double ReferenceRecall = 0.1824;
    private const double ReferenceNdcg = 0.1547;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static async Task<int> RunAsync(
        string dataDirectory, int threads, int epochs, int evaluateEvery, string samplerName, double learningRate, int[] milestones, double decay, TrainingPrecision precision,
        int historyRefreshes, string stateDirectory, string output, CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(Path.Combine(dataDirectory, "gowalla")).LoadAsync(cancellationToken);
        var split = dataset.SplitPredefined();
        Directory.CreateDirectory(stateDirectory);
        string curvePath = Path.Combine(stateDirectory, "curve.json");
        var points = File.Exists(curvePath)
            ? [.. (await ReadReportAsync(curvePath, cancellationToken)).Points]
            : new List<ConvergencePoint>();
        int done = points.Count == 0 ? 0 : points[^1].Epoch;
        Console.WriteLine($"gowalla: {done} epochs done in {stateDirectory}; training to {epochs}, test every {evaluateEvery}");
        while (done < epochs && !cancellationToken.IsCancellationRequested)
        {
            int target = Math.Min(epochs, done + evaluateEvery);
            var options = new LightGcnOptions
            {
                Epochs = target, BatchSize = 2048, LearningRate = learningRate, LearningRateMilestones = milestones, LearningRateDecay = decay, WeightDecay = 1e-4, Cutoffs = [20],
                CheckpointDirectory = stateDirectory, CheckpointEvery = evaluateEvery, Threads = threads, BFloat16Layers = precision == TrainingPrecision.BFloat16Layers,
                HistoryRefreshesPerEpoch = historyRefreshes,
            };
            var sampler = samplerName == "user" ? Samplers.UniformUsers(options.Seed, threads) : Samplers.EveryInteraction(options.Seed, threads);
            using var model = LightGcn.Train(dataset, split, options, sampler, cancellationToken: cancellationToken);
            var test = model.Evaluate(split.Test, [20], cancellationToken: cancellationToken);
            var recent = model.History.Where(h => h.Epoch > done).ToList();
            var point = new ConvergencePoint(target, model.History.Sum(h => h.Seconds), test.Mean("recall", 20), test.Mean("ndcg", 20), recent.Average(h => h.Seconds));
            points.Add(point);
            done = target;
            Console.WriteLine($"epoch {point.Epoch}: recall@20 {point.Recall20:F4}, ndcg@20 {point.Ndcg20:F4}, {point.TrainingSeconds / 3600:F2} h of training, {point.SecondsPerEpoch:F1} s per epoch");
            await File.WriteAllTextAsync(curvePath, JsonSerializer.Serialize(Report(), Json), cancellationToken);
            await PublishAsync();
        }

        if (points.Count > 0 && !File.Exists(output))
        {
            // Nothing left to train: the curve so far, written where asked.
            await PublishAsync();
        }

        return 0;

        ConvergenceReport Report() => new(Machine.Describe(), samplerName, learningRate, milestones, decay, 2048, points, precision, historyRefreshes);

        // The report where asked, and its plot next to it.
        async Task PublishAsync()
        {
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(Report(), Json), cancellationToken);
            Plot(points, learningRate, milestones, decay, precision, historyRefreshes, Path.ChangeExtension(output, ".png"));
        }
    }

    /// <summary>
    /// The Recall@20 curves of several reports in one plot by epoch (<paramref name="output"/>) and in one by hours of
    /// training (beside it, <c>-hours.png</c>), each named by its learning rate, schedule, precision and training mode.
    /// </summary>
    public static async Task<int> PlotTogetherAsync(string[] reports, string output, CancellationToken cancellationToken)
    {
        var read = new List<ConvergenceReport>();
        foreach (string path in reports)
        {
            read.Add(await ReadReportAsync(path, cancellationToken));
        }

        string byHours = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, Path.GetFileNameWithoutExtension(output) + "-hours.png");
        foreach (var (path, axis, x) in new (string, string, Func<ConvergencePoint, double>)[]
        {
            (output, "epoch", p => p.Epoch), (byHours, "hours of training", p => p.TrainingSeconds / 3600),
        })
        {
            var plot = new Plot();
            foreach (var report in read)
            {
                double[] xs = [.. report.Points.Select(x)];
                double[] recall = [.. report.Points.Select(p => p.Recall20)];
                plot.Add.Scatter(xs, recall).LegendText =
                    Settings(report.LearningRate, [.. report.LearningRateMilestones ?? []], report.LearningRateDecay) + PrecisionText(report.Precision) +
                    TrainingText(report.HistoryRefreshesPerEpoch);
            }

            plot.Add.HorizontalLine(ReferenceRecall).LegendText = "reference Recall@20 after 1000 epochs";
            plot.ShowLegend(Alignment.LowerRight);
            plot.Title($"LightGCN on Gowalla, test Recall@20 by {axis} (batch 2048)");
            plot.XLabel(axis);
            plot.YLabel("test Recall@20");
            plot.SavePng(path, 900, 550);
            Console.WriteLine($"wrote {path}");
        }

        return 0;
    }

    private static async Task<ConvergenceReport> ReadReportAsync(string path, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<ConvergenceReport>(await File.ReadAllTextAsync(path, cancellationToken), Json)
            ?? throw new InvalidDataException($"{path} holds no convergence report.");

    private static string Settings(double learningRate, int[] milestones, double decay) =>
        $"learning rate {learningRate:G4}" + (milestones.Length == 0 ? "" : $", x {decay:G4} after epoch {string.Join(", ", milestones)}");

    /// <summary>What a legend or title adds for the training precision: nothing for the default float32.</summary>
    private static string PrecisionText(TrainingPrecision? precision) => precision switch
    {
        null or TrainingPrecision.Full => "",
        TrainingPrecision.BFloat16Layers => ", bfloat16 layers",
        _ => $", {precision}",
    };

    /// <summary>What a legend or title adds for the training mode: nothing for exact training.</summary>
    private static string TrainingText(int historyRefreshes) => historyRefreshes > 0 ? $", historical layers ({historyRefreshes} refresh(es) per epoch)" : "";

    private static void Plot(
        IReadOnlyList<ConvergencePoint> points, double learningRate, int[] milestones, double decay, TrainingPrecision precision, int historyRefreshes, string path)
    {
        var plot = new Plot();
        double[] epochs = [.. points.Select(p => (double)p.Epoch)];
        plot.Add.Scatter(epochs, [.. points.Select(p => p.Recall20)]).LegendText = "Recall@20";
        plot.Add.Scatter(epochs, [.. points.Select(p => p.Ndcg20)]).LegendText = "NDCG@20";
        plot.Add.HorizontalLine(ReferenceRecall).LegendText = "reference Recall@20 after 1000 epochs";
        plot.Add.HorizontalLine(ReferenceNdcg).LegendText = "reference NDCG@20 after 1000 epochs";
        plot.ShowLegend();
        string settings = (learningRate == 0.001 && milestones.Length == 0 ? "paper's hyperparameters" : Settings(learningRate, milestones, decay)) +
            PrecisionText(precision) + TrainingText(historyRefreshes);
        plot.Title($"LightGCN on Gowalla, {settings} ({points[^1].TrainingSeconds / 3600:F1} h of training on 2 cores)");
        plot.XLabel("epoch");
        plot.YLabel("test metric");
        plot.SavePng(path, 900, 550);
    }
}
