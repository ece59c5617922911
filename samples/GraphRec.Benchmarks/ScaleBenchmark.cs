using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;
using MathNet.Numerics;
using MathNet.Numerics.LinearRegression;
using ScottPlot;
using static TorchSharp.torch;

namespace GraphRec.Benchmarks;

/// <summary>What one graph size cost.</summary>
internal sealed record ScalePoint(
    bool Proportional, long Edges, int Users, int Items, double GenerateSeconds, double AdjacencySeconds, double SampleSeconds, int BatchesTimed,
    double SecondsPerBatch, int BatchesPerEpoch, double SecondsPerEpoch, double PropagateSeconds, int EvaluatedUsers,
    double EvalSecondsPerUser, int UsersWithItems, double EvalSeconds, double PeakWorkingSetMb, bool WholeEpoch = false, int HistoryRefreshesPerEpoch = 0,
    IReadOnlyList<double>? SecondsPerEpochRuns = null);

/// <summary>The growth report: the points, fitted exponents, the memory model and the ceiling it implies.</summary>
internal sealed record ScaleReport(
    string Machine, IReadOnlyList<ScalePoint> Points, IReadOnlyDictionary<string, double> GrowthExponents,
    double MemoryBaseMb, double MemoryBytesPerEdge, double MemoryBytesPerNode, double MemoryLimitMb, long PredictedCeilingEdges, string Note);

/// <summary>What GF-CF cost at one graph size: its preparation (the randomized SVD), a sampled evaluation, and the full one it implies.</summary>
internal sealed record FilterScalePoint(
    long Edges, int Users, int Items, double GenerateSeconds, double FitSeconds, double PeakAfterFitMb, int EvaluatedUsers,
    double SampledEvalSeconds, int UsersWithItems, double FullEvalSeconds, double PeakWorkingSetMb);

/// <summary>GF-CF's growth report: the points and fitted exponents.</summary>
internal sealed record FilterScaleReport(string Machine, IReadOnlyList<FilterScalePoint> Points, IReadOnlyDictionary<string, double> GrowthExponents, string Note);

/// <summary>
/// How training, evaluation and memory grow with the graph, on synthetic Gowalla-shaped graphs (<see cref="SyntheticGraph"/>),
/// each size measured in a child process so that its peak working set is its own (with several runs, each size's point is
/// its run of median seconds per epoch, the runs taken in turns over the sizes). Seconds per epoch are extrapolated
/// from timed batches (the epoch's sampling timed whole, plus the mean batch times the batches of an epoch), full-ranking
/// evaluation from a sample of users (the propagation timed whole, plus the mean time per user times the users).
/// </summary>
internal static class ScaleBenchmark
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="batches">Batches timed per size (after the first), or 0 to train and time one whole epoch.</param>
    /// <param name="historyRefreshes"><see cref="LightGcnOptions.HistoryRefreshesPerEpoch"/>: 0 for exact training.</param>
    /// <param name="repeats">Runs per size; each size's point is its run of median seconds per epoch.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<long> sizes, long denserEdges, int batches, int evalUsers, int historyRefreshes, int repeats, string output, string? from, CancellationToken cancellationToken)
    {
        if (from is not null)
        {
            // Fit and plot again from the points of an earlier run, without measuring.
            var earlier = JsonSerializer.Deserialize<ScaleReport>(await File.ReadAllTextAsync(from, cancellationToken), Json)!;
            return await SummarizeAsync([.. earlier.Points], output, cancellationToken);
        }

        var points = new List<ScalePoint>();
        var runs = sizes.Select(e => (Edges: e, Users: (int?)null, Items: (int?)null)).ToList();
        if (denserEdges > 0)
        {
            // The same users and items as the smallest size with more edges: separates memory per edge from per node.
            long basis = sizes[0];
            runs.Add((denserEdges, (int)Math.Round(basis * SyntheticGraph.UsersPerEdge), (int)Math.Round(basis * SyntheticGraph.ItemsPerEdge)));
        }

        // In turns over the sizes, so that a noisy stretch of the machine's time does not fall on one size's runs only. A
        // failed child (a size beyond the memory) ends the measuring: every later turn would fail there again.
        var measured = runs.Select(_ => new List<ScalePoint>()).ToList();
        bool failed = false;
        for (int turn = 0; turn < repeats * runs.Count && !failed; turn++)
        {
            var point = await MeasureAsync(runs[turn % runs.Count], batches, evalUsers, historyRefreshes, cancellationToken);
            failed = point is null;
            if (point is not null)
            {
                measured[turn % runs.Count].Add(point);
            }
        }

        foreach (var sizeRuns in measured.Where(m => m.Count > 0))
        {
            var median = sizeRuns.OrderBy(p => p.SecondsPerEpoch).ElementAt((sizeRuns.Count - 1) / 2);
            points.Add(repeats == 1 ? median : median with { SecondsPerEpochRuns = [.. sizeRuns.Select(p => p.SecondsPerEpoch)] });
        }

        if (repeats > 1)
        {
            foreach (var point in points)
            {
                Console.WriteLine($"{point.Edges,12:N0} edges: median epoch {point.SecondsPerEpoch,9:F1} s of {string.Join(", ", point.SecondsPerEpochRuns!.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}");
            }
        }

        return await SummarizeAsync(points, output, cancellationToken);
    }

    /// <summary>One size in a child process, said on the console: its point, or null when the child failed.</summary>
    private static async Task<ScalePoint?> MeasureAsync((long Edges, int? Users, int? Items) run, int batches, int evalUsers, int historyRefreshes, CancellationToken cancellationToken)
    {
        string? line = await MeasureInChildAsync(run.Edges, [
            "--batches", batches.ToString(CultureInfo.InvariantCulture), "--eval-users", evalUsers.ToString(CultureInfo.InvariantCulture),
            "--history-refreshes", historyRefreshes.ToString(CultureInfo.InvariantCulture),
            .. run.Users is int u ? new[] { "--users", u.ToString(CultureInfo.InvariantCulture), "--items", run.Items!.Value.ToString(CultureInfo.InvariantCulture) } : []],
            cancellationToken);
        if (line is null)
        {
            return null;
        }

        var point = JsonSerializer.Deserialize<ScalePoint>(line, Json)! with { Proportional = run.Users is null };
        Console.WriteLine($"{point.Edges,12:N0} edges {point.Users,10:N0} users {point.Items,10:N0} items: Â {point.AdjacencySeconds,6:F2} s, " +
            (point.WholeEpoch
                ? $"epoch {point.SecondsPerEpoch,9:F1} s (measured whole: {point.BatchesPerEpoch:N0} batches, {point.SecondsPerBatch:F3} s each after the first), "
                : $"epoch {point.SecondsPerEpoch,9:F1} s ({point.SecondsPerBatch:F3} s x {point.BatchesPerEpoch:N0} batches + sampling {point.SampleSeconds:F1} s), ") +
            $"evaluation {point.EvalSeconds,8:F1} s, peak {point.PeakWorkingSetMb,7:F0} MB");
        return point;
    }

    /// <summary>
    /// GF-CF at each size, each in a child process: the fit's seconds and peak working set, a sampled evaluation of
    /// <paramref name="evalUsers"/> users, and the full evaluation it implies (seconds per ranked user times the users).
    /// </summary>
    public static async Task<int> RunFilterAsync(IReadOnlyList<long> sizes, int evalUsers, string output, CancellationToken cancellationToken)
    {
        var points = new List<FilterScalePoint>();
        foreach (long edges in sizes)
        {
            string? line = await MeasureInChildAsync(edges, ["--model", "gf-cf", "--eval-users", evalUsers.ToString(CultureInfo.InvariantCulture)], cancellationToken);
            if (line is null)
            {
                break;
            }

            var point = JsonSerializer.Deserialize<FilterScalePoint>(line, Json)!;
            points.Add(point);
            Console.WriteLine($"{point.Edges,12:N0} edges {point.Users,10:N0} users {point.Items,10:N0} items: fit {point.FitSeconds,7:F1} s (peak {point.PeakAfterFitMb:F0} MB), " +
                $"evaluation of {point.EvaluatedUsers:N0} users {point.SampledEvalSeconds:F1} s (all {point.UsersWithItems:N0}: {point.FullEvalSeconds:F0} s), peak {point.PeakWorkingSetMb:F0} MB");
        }

        var exponents = new Dictionary<string, double>(StringComparer.Ordinal);
        if (points.Count >= 2)
        {
            double[] x = [.. points.Select(p => Math.Log(p.Edges))];
            foreach (var (name, values) in new (string, Func<FilterScalePoint, double>)[]
            {
                ("fit_seconds", p => p.FitSeconds), ("peak_after_fit_mb", p => p.PeakAfterFitMb), ("full_eval_seconds", p => p.FullEvalSeconds),
                ("peak_working_set_mb", p => p.PeakWorkingSetMb),
            })
            {
                exponents[name] = Fit.Line(x, [.. points.Select(p => Math.Log(values(p)))]).B;
                Console.WriteLine($"growth exponent of {name}: {exponents[name]:F2}");
            }
        }

        await Report.WriteAsync(output, new FilterScaleReport(Machine.Describe(), points, exponents,
            "GF-CF with its default options (rank 256); full_eval_seconds from the sampled evaluation's seconds per user"), cancellationToken);
        return points.Count > 0 ? 0 : 1;
    }

    /// <summary>Runs <c>scale-one</c> for one size in a child process: its JSON line, or null (said on the console) when it failed.</summary>
    private static async Task<string?> MeasureInChildAsync(long edges, string[] options, CancellationToken cancellationToken)
    {
        string[] arguments = [.. LoadingBenchmark.ChildArguments(), "scale-one", "--edges", edges.ToString(CultureInfo.InvariantCulture), .. options];
        using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, arguments) { RedirectStandardOutput = true })!;
        string text = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        string? line = text.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode != 0 || line is null)
        {
            Console.WriteLine($"{edges:N0} edges: the child process failed (exit {child.ExitCode}); nothing after it is measured.");
            Console.WriteLine(text);
            return null;
        }

        return line;
    }

    /// <summary>
    /// The child's side for GF-CF: one size, printed as one JSON line. Every user with items gets one of its training
    /// items as held-out (ranked with its training items excluded: the cost is what is measured), and
    /// <paramref name="evalUsers"/> of them are evaluated as a sampled evaluation would.
    /// </summary>
    public static int MeasureFilterOne(long edges, int evalUsers, CancellationToken cancellationToken)
    {
        set_num_threads(Environment.ProcessorCount);
        var clock = Stopwatch.StartNew();
        var train = SyntheticGraph.Generate(edges, seed: 2020);
        double generate = clock.Elapsed.TotalSeconds;

        clock.Restart();
        using var filter = GraphFilterScorer.Fit(train, SpectralFilterOptions.GfCf(), cancellationToken);
        double fit = clock.Elapsed.TotalSeconds;
        double peakAfterFit = Machine.PeakWorkingSetMegabytes();

        var (heldOut, withItems) = SampleUsers(train, int.MaxValue);
        FullRankingEvaluator.Evaluate(filter, heldOut, [train], [20], sampleUsers: 20, cancellationToken: cancellationToken); // warm-up, not timed
        clock.Restart();
        var evaluation = FullRankingEvaluator.Evaluate(filter, heldOut, [train], [20], sampleUsers: evalUsers, cancellationToken: cancellationToken);
        double sampled = clock.Elapsed.TotalSeconds;

        var point = new FilterScalePoint(train.Count, train.UserCount, train.ItemCount, generate, fit, peakAfterFit, evaluation.Users.Count, sampled,
            withItems, sampled / evaluation.Users.Count * withItems, Machine.PeakWorkingSetMegabytes());
        Console.WriteLine(JsonSerializer.Serialize(point, Json));
        return 0;
    }

    /// <summary>Growth exponents over the proportional sizes, the memory fit over all, the report and the plot.</summary>
    private static async Task<int> SummarizeAsync(List<ScalePoint> points, string output, CancellationToken cancellationToken)
    {
        var proportional = points.Where(p => p.Proportional).ToList();
        var exponents = new Dictionary<string, double>(StringComparer.Ordinal);
        if (proportional.Count >= 2)
        {
            double[] x = [.. proportional.Select(p => Math.Log(p.Edges))];
            foreach (var (name, values) in new (string, Func<ScalePoint, double>)[]
            {
                ("adjacency_seconds", p => p.AdjacencySeconds), ("seconds_per_epoch", p => p.SecondsPerEpoch),
                ("seconds_per_batch", p => p.SecondsPerBatch), ("eval_seconds", p => p.EvalSeconds), ("peak_working_set_mb", p => p.PeakWorkingSetMb),
            })
            {
                exponents[name] = Fit.Line(x, [.. proportional.Select(p => Math.Log(values(p)))]).B;
            }
        }

        // Peak working set = base + per edge x edges + per node x nodes, by least squares over every run.
        double baseMb = 0, perEdge = 0, perNode = 0;
        long ceiling = 0;
        double limitMb = 0.9 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1048576.0;
        if (points.Count >= 3)
        {
            var coefficients = MultipleRegression.NormalEquations(
                [.. points.Select(p => new[] { 1.0, p.Edges, p.Users + (double)p.Items })], [.. points.Select(p => p.PeakWorkingSetMb)]);
            (baseMb, perEdge, perNode) = (coefficients[0], coefficients[1] * 1048576, coefficients[2] * 1048576);
            double perProportionalEdgeMb = (perEdge + (perNode * (SyntheticGraph.UsersPerEdge + SyntheticGraph.ItemsPerEdge))) / 1048576;
            ceiling = (long)Math.Min((limitMb - baseMb) / perProportionalEdgeMb, int.MaxValue / 2.0);
        }

        var report = new ScaleReport(Machine.Describe(), points, exponents, baseMb, perEdge, perNode, limitMb, ceiling,
            (points.All(p => p.WholeEpoch) ? "seconds_per_epoch measured on whole epochs" : points.Any(p => p.WholeEpoch) ? "seconds_per_epoch measured on whole epochs where whole_epoch, else extrapolated from timed batches" : "seconds_per_epoch extrapolated from timed batches") + "; eval_seconds from a sample of users; the ceiling from the memory fit (90% of the memory the runtime sees)");
        foreach (var (name, exponent) in exponents)
        {
            Console.WriteLine($"growth exponent of {name}: {exponent:F2}");
        }

        Console.WriteLine($"peak working set ≈ {baseMb:F0} MB + {perEdge:F0} bytes per edge + {perNode:F0} bytes per node; " +
            $"with Gowalla's proportions that reaches {limitMb:N0} MB at about {ceiling:N0} edges");
        await Report.WriteAsync(output, report, cancellationToken);
        Plot(proportional, Path.ChangeExtension(output, ".png"));
        return 0;
    }

    /// <summary>
    /// The child's side: one size, printed as one JSON line. With <paramref name="batches"/> 0 it trains one whole epoch
    /// and reports its seconds; else it extrapolates the epoch from that many timed batches.
    /// </summary>
    public static int MeasureOne(long edges, int? users, int? items, int batches, int evalUsers, int historyRefreshes, CancellationToken cancellationToken)
    {
        int threads = Environment.ProcessorCount;
        set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        var train = SyntheticGraph.Generate(edges, seed: 2020, users, items);
        double generate = clock.Elapsed.TotalSeconds;

        clock.Restart();
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        double adjacencySeconds = clock.Elapsed.TotalSeconds;

        // The paper's hyperparameters, and the sampler's epoch timed on its own.
        var options = new LightGcnOptions { BatchSize = 2048, LearningRate = 0.001, Epochs = 1, Threads = threads, HistoryRefreshesPerEpoch = historyRefreshes };
        bool wholeEpoch = batches <= 0;
        var sampler = Samplers.EveryInteraction(options.Seed, threads);
        clock.Restart();
        _ = sampler.Sample(train, 1);
        double sampleSeconds = clock.Elapsed.TotalSeconds;

        using var model = new LightGcnModel(adjacency, options);
        var stamps = new List<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new InlineProgress(p =>
        {
            stamps.Add(clock.Elapsed.TotalSeconds);
            if (!wholeEpoch && p.Batch > batches)
            {
                stop.Cancel();
            }
        });
        clock.Restart();
        double epochSeconds = 0;
        try
        {
            // The epoch's own seconds: its sampling and every batch.
            epochSeconds = new LightGcnTrainer(options, sampler: sampler).Train(model, train, progress: progress, cancellationToken: stop.Token).History[0].Seconds;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        // The first batch also sampled the epoch; the ones after it are timed.
        double perBatch = (stamps[^1] - stamps[0]) / Math.Max(1, stamps.Count - 1);
        int batchesPerEpoch = (int)((train.Count + options.BatchSize - 1) / options.BatchSize);

        clock.Restart();
        using var scorer = new LightGcnScorer(model);
        double propagate = clock.Elapsed.TotalSeconds;
        var (heldOut, sampled) = SampleUsers(train, evalUsers);
        FullRankingEvaluator.Evaluate(scorer, SampleUsers(train, 20).HeldOut, [train], [20], cancellationToken: cancellationToken); // warm-up, not timed
        clock.Restart();
        FullRankingEvaluator.Evaluate(scorer, heldOut, [train], [20], cancellationToken: cancellationToken);
        double perUser = clock.Elapsed.TotalSeconds / sampled;
        int withItems = Enumerable.Range(0, train.UserCount).Count(u => train.CountOf(u) > 0);

        var point = new ScalePoint(users is null, train.Count, train.UserCount, train.ItemCount, generate, adjacencySeconds, sampleSeconds, stamps.Count - 1, perBatch,
            batchesPerEpoch, wholeEpoch ? epochSeconds : sampleSeconds + (perBatch * batchesPerEpoch), propagate, sampled, perUser, withItems, propagate + (perUser * withItems),
            Machine.PeakWorkingSetMegabytes(), wholeEpoch, historyRefreshes);
        Console.WriteLine(JsonSerializer.Serialize(point, Json));
        return 0;
    }

    /// <summary>One training item of <paramref name="count"/> users (all when there are fewer) spread over the graph, as held-out interactions to rank (the cost is what is measured).</summary>
    private static (Interactions HeldOut, int Users) SampleUsers(Interactions train, int count)
    {
        int step = Math.Max(1, train.UserCount / count);
        var rowPointers = new int[train.UserCount + 1];
        var items = new List<int>();
        for (int u = 0; u < train.UserCount; u++)
        {
            if (u % step == 0 && train.CountOf(u) > 0 && items.Count < count)
            {
                items.Add(train.ItemsOf(u)[0]);
            }

            rowPointers[u + 1] = items.Count;
        }

        return (new Interactions(train.UserCount, train.ItemCount, rowPointers, [.. items]), items.Count);
    }

    private static void Plot(IReadOnlyList<ScalePoint> points, string path)
    {
        var plot = new Plot();
        double[] edges = [.. points.Select(p => Math.Log10(p.Edges))];
        foreach (var (name, values) in new (string, Func<ScalePoint, double>)[]
        {
            ("seconds per epoch", p => p.SecondsPerEpoch), ("evaluation, s", p => p.EvalSeconds), ("building Â, s", p => p.AdjacencySeconds), ("peak working set, MB", p => p.PeakWorkingSetMb),
        })
        {
            plot.Add.Scatter(edges, [.. points.Select(p => Math.Log10(values(p)))]).LegendText = name;
        }

        plot.ShowLegend();
        plot.Title("GraphRec on Gowalla-shaped graphs, 2 cores");
        plot.XLabel("log10 training interactions");
        plot.YLabel("log10 value");
        plot.SavePng(path, 900, 600);
        Console.WriteLine($"wrote {path}");
    }
}
