using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Sample;

/// <summary><c>train</c>: the notebook's whole job, done right.</summary>
internal static class TrainCommand
{
    /// <summary>The file the library keeps a run's state in, in the <c>--resume</c> folder.</summary>
    private const string CheckpointFileName = "training.checkpoint";

    public static async Task<int> RunAsync(TrainSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Model != "lightgcn" && settings.ResumeDirectory is not null)
        {
            throw new UsageException($"--resume is for LightGCN's training; --model {settings.Model} has no epochs to resume (it fits without training).");
        }

        if (settings.Model != "lightgcn" && settings.WarmStart is not null)
        {
            throw new UsageException($"--warm-start is for LightGCN's training; --model {settings.Model} fits from the data alone, with nothing to start from.");
        }

        var spectralOptions = settings.Model is "bspm" or "chebycf" or "spectral" ? SpectralOptions(settings) : null;

        // Every folder the run writes to, checked and locked before any work: a wrong path, or another run writing
        // there, must not cost a training run.
        string modelPath = Path.Combine(settings.Output, "model.graphrec");
        using var outputLock = OutputFolder.Prepare(settings.Output, "--output", ["model.graphrec", "metrics.json", .. Plots.FileNames]);
        using var resumeLock = settings.ResumeDirectory is { } resume && Path.GetFullPath(resume) != Path.GetFullPath(settings.Output)
            ? OutputFolder.Prepare(resume, "--resume", CheckpointFileName)
            : null;
        int threads = Threads.Apply(settings.Threads);
        using var previous = settings.WarmStart is { } warmStart ? await LoadPrevious(warmStart, settings, cancellationToken).ConfigureAwait(false) : null;
        var dataset = await ConsoleUi.WithDownloadProgressAsync(download => Datasets.LoadAsync(settings.Data, download, cancellationToken)).ConfigureAwait(false);
        string splitName = Datasets.ResolveSplitName(settings.Split, dataset);
        bool holdsOut = splitName != "none";   // --split none ignores the ratios, and metrics.json records them as 0
        var split = Datasets.Split(dataset, settings.Split);
        ConsoleUi.Summary(dataset, split, splitName);

        var options = new LightGcnOptions
        {
            EmbeddingDimension = settings.Dimension,
            Layers = settings.Layers,
            Seed = settings.Split.Seed,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate,
            LearningRateMilestones = [.. settings.LearningRateMilestones ?? []],
            LearningRateDecay = settings.LearningRateDecay,
            WeightDecay = settings.Decay,
            EvaluateEvery = settings.EvaluateEvery,
            Patience = settings.Patience,
            ValidationMetric = MetricNames.Key(MetricNames.Recall, settings.Cutoffs[^1]),
            Cutoffs = [.. settings.Cutoffs],
            Threads = threads,
            CheckpointDirectory = settings.ResumeDirectory,
            CheckpointEvery = settings.CheckpointEvery,
            BFloat16Layers = settings.Precision == "bfloat16-layers",
            HistoryRefreshesPerEpoch = settings.HistoryRefreshesPerEpoch,
        };
        var sampler = settings.Sampler == "user" ? Samplers.UniformUsers(settings.Split.Seed, threads) : Samplers.EveryInteraction(settings.Split.Seed, threads);

        var clock = Stopwatch.StartNew();
        bool isFilter = settings.Model != "lightgcn";
        using IRecommender model = isFilter
            ? SpectralFilter.Fit(dataset, split, spectralOptions ?? FilterOptions(settings), cancellationToken: cancellationToken)
            : await ConsoleUi.WithTrainingProgressAsync(settings.Epochs,
                progress => Task.Run(() => Train(dataset, split, options, sampler, progress, settings.ResumeDirectory, previous, cancellationToken), cancellationToken)).ConfigureAwait(false);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var history = (model as LightGcn)?.History ?? [];
        int bestEpoch = (model as LightGcn)?.BestEpoch ?? 0;
        Console.WriteLine(spectralOptions is not null
            ? $"fitted {DisplayName(model)} (rank {spectralOptions.Rank}, alpha {spectralOptions.Alpha}) in {trainSeconds:F1} s, without training"
            : isFilter
            ? $"fitted GF-CF (rank {settings.Rank}, alpha {settings.Alpha}) in {trainSeconds:F1} s, without training"
            : $"trained {history.Count} epochs in {trainSeconds:F1} s" +
                (split.Validation is not { Count: > 0 } ? "" : $"; weights of epoch {bestEpoch} kept (best validation {options.ValidationMetric})") +
                (history.Count < settings.Epochs ? ", stopped early" : ""));

        // The model is saved first: nothing that can fail after training (evaluation, statistics, a full disk) may lose it.
        await model.SaveAsync(modelPath, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"wrote {modelPath}");

        clock.Restart();
        var (result, baselines) = Evaluate(settings, dataset, split, holdsOut, model, cancellationToken);
        double evalSeconds = clock.Elapsed.TotalSeconds;

        var report = new MetricsReport(
            model.ModelKind, dataset.Name, dataset.Users.Count, dataset.Items.Count, dataset.Interactions.Count, split.Train.Count, split.Validation?.Count ?? 0,
            split.Test.Count, split.DroppedTest, split.DroppedHeldOut - split.DroppedTest,
            new RunConfig(settings.Dimension, settings.Layers, settings.Epochs, settings.BatchSize, settings.LearningRate, settings.Decay,
                settings.Split.Seed, splitName, holdsOut ? settings.Split.TestRatio : 0, holdsOut ? settings.Split.ValidationRatio : 0, settings.EvaluateEvery, settings.Patience,
                threads, settings.Cutoffs, settings.Sampler, settings.Rank, settings.Alpha, settings.LearningRateMilestones ?? [], settings.LearningRateDecay,
                settings.Precision, settings.Training, settings.HistoryRefreshesPerEpoch, settings.EvalSample?.Users, settings.EvalSample?.Seed),
            history.Count, bestEpoch, history.Count == 0 ? null : history.Average(h => h.Seconds), trainSeconds, evalSeconds,
            MetricsReport.PeakWorkingSetMegabytes(), result is null ? null : MetricsReport.Flatten(result), baselines,
            [.. history.Select(h => new HistoryEntry(h.Epoch, h.Loss, h.Seconds, h.Validation))]);
        string metricsPath = Path.Combine(settings.Output, "metrics.json");
        await report.WriteAsync(metricsPath, cancellationToken).ConfigureAwait(false);
        var plots = history.Count == 0 ? [] : Plots.Write(history, settings.Cutoffs, settings.Output);
        Console.WriteLine($"wrote {string.Join(", ", [metricsPath, .. plots])}");

        // A sample: the first user with test items, else the first user with training items.
        int user = Enumerable.Range(0, split.Test.UserCount).FirstOrDefault(u => split.Test.CountOf(u) > 0, -1) is int tested and >= 0
            ? tested
            : Enumerable.Range(0, split.Train.UserCount).First(u => split.Train.CountOf(u) > 0);
        string userId = dataset.Users.GetId(user);
        Console.WriteLine();
        string profile = dataset.GetUserInfo(user) is { } info ? $" ({info})" : "";
        ConsoleUi.Items($"user {userId}{profile}: top 5 (try: recommend --model {modelPath} --user {userId})",
            model.Recommend(userId, 5));
        return 0;
    }

    /// <summary>The model of <c>--warm-start</c>, checked against <c>--dim</c> so that the message names the option to change.</summary>
    private static async Task<LightGcn> LoadPrevious(string path, TrainSettings settings, CancellationToken cancellationToken)
    {
        var previous = await LightGcn.LoadAsync(path, cancellationToken).ConfigureAwait(false);
        int dimension = previous.Options.EmbeddingDimension;
        if (dimension != settings.Dimension)
        {
            previous.Dispose();
            throw new UsageException($"--warm-start {path} has {dimension}-dimensional embeddings and --dim is {settings.Dimension}: pass --dim {dimension}, or leave out --warm-start to train from scratch.");
        }

        Console.WriteLine($"warm start from {path} ({previous.Users.Count:N0} users, {previous.Items.Count:N0} items, trained on {previous.DatasetName})");
        return previous;
    }

    /// <summary>Trains (from <paramref name="previous"/> when given); when cancelled with a checkpoint folder, says where the run can continue from.</summary>
    private static LightGcn Train(
        InteractionDataset dataset, DatasetSplit split, LightGcnOptions options, ISampler sampler, IProgress<TrainingProgress> progress, string? resume,
        LightGcn? previous, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        try
        {
            return LightGcn.Train(dataset, split, options, sampler, progress: progress, logger: new WarningLogger<LightGcn>(), warmStartFrom: previous,
                cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException) when (resume is not null)
        {
            // Say only what is on disk: the cancellation's checkpoint is missing when no epoch had finished or its
            // write failed (a warning says why), and then the folder holds an earlier run's checkpoint or none.
            var checkpoint = new FileInfo(Path.Combine(resume, CheckpointFileName));
            Console.Error.WriteLine(!checkpoint.Exists
                ? $"no epoch is saved in {resume}: the same command starts again from the first epoch."
                : checkpoint.LastWriteTimeUtc >= started
                    ? $"the last complete epoch is saved in {resume}: run the same command to continue."
                    : $"this run saved no epoch; {resume} keeps an earlier run's checkpoint: the same command continues from there.");
            throw;
        }
    }

    /// <summary>GF-CF's recipe with the rank and α of <c>--rank</c> and <c>--alpha</c>.</summary>
    private static SpectralFilterOptions FilterOptions(TrainSettings settings)
    {
        var options = SpectralFilterOptions.GfCf();
        (options.Rank, options.Alpha, options.Seed, options.Cutoffs) = (settings.Rank, settings.Alpha, settings.Split.Seed, [.. settings.Cutoffs]);
        return options;
    }

    /// <summary>The spectral filter <c>--model</c> names: a published recipe, or the options of <c>--spectral-options</c>.</summary>
    private static SpectralFilterOptions SpectralOptions(TrainSettings settings)
    {
        var options = settings.Model switch
        {
            "bspm" => SpectralFilterOptions.Bspm(),
            "chebycf" => SpectralFilterOptions.ChebyCf(),
            _ when settings.SpectralOptions is null => throw new UsageException("--model spectral needs --spectral-options FILE, a JSON file of SpectralFilterOptions."),
            _ => ReadSpectralOptions(settings.SpectralOptions),
        };
        options.Seed = settings.Split.Seed;
        options.Cutoffs = [.. settings.Cutoffs];
        return options;
    }

    // A key that names no option (a typo, another casing) is refused rather than left at its default, which would train
    // another filter than the file describes without a word.
    private static readonly System.Text.Json.JsonSerializerOptions StrictJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private static SpectralFilterOptions ReadSpectralOptions(string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<SpectralFilterOptions>(File.ReadAllText(path), StrictJson)
                ?? throw new UsageException($"--spectral-options {path} holds no options.");
        }
        catch (Exception error) when (error is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw new UsageException(
                $"--spectral-options {path} could not be read as SpectralFilterOptions: {error.Message} Its keys are SpectralFilterOptions' property names, as tune-spectral's --options-output writes them (\"ChebyshevCoefficients\", \"InputNormalization\", ...).");
        }
    }

    /// <summary>The name of a model in the table.</summary>
    public static string DisplayName(IRecommender model) => model switch
    {
        SpectralFilter { ModelKind: "gf-cf" } => "GF-CF",
        SpectralFilter filter => SpectralName(filter.Options),
        _ => "LightGCN",
    };

    /// <summary>BSPM or ChebyCF when the options are that recipe's (whatever the seed, the SVD's accuracy and the cut-offs), else "Spectral".</summary>
    private static string SpectralName(SpectralFilterOptions options)
    {
        // Every option that shapes the scores: all of them but the SVD's accuracy and seed, and the cut-offs.
        static string Shape(SpectralFilterOptions o)
        {
            var shape = System.Text.Json.JsonSerializer.SerializeToNode(o)!.AsObject();
            foreach (string name in new[] { nameof(o.Seed), nameof(o.Oversampling), nameof(o.PowerIterations), nameof(o.Cutoffs) })
            {
                shape.Remove(name);
            }

            return shape.ToJsonString();
        }

        string shape = Shape(options);
        return shape == Shape(SpectralFilterOptions.Bspm()) ? "BSPM" : shape == Shape(SpectralFilterOptions.ChebyCf()) ? "ChebyCF" : "Spectral";
    }

    /// <summary>
    /// The model and the baselines on the test split, with the table (GF-CF among the baselines when the model is
    /// LightGCN); null when no test interaction is left to rank (nothing held out with <paramref name="holdsOut"/> false,
    /// or all of them dropped, for example, because their users or items never occur in train).
    /// </summary>
    private static (RankingEvaluation? Model, Dictionary<string, IReadOnlyDictionary<string, double>> Baselines) Evaluate(
        TrainSettings settings, InteractionDataset dataset, DatasetSplit split, bool holdsOut, IRecommender model, CancellationToken cancellationToken)
    {
        var baselines = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        if (split.Test.Count == 0)
        {
            Console.WriteLine(!holdsOut
                ? "nothing is held out (--split none), so nothing is evaluated: the model knows every interaction, and recommends none of a user's own items."
                : $"no test interactions are left to evaluate ({split.DroppedTest:N0} dropped because their user or item never occurs in train).");
            return (null, baselines);
        }

        // Test: everything the user has in train and validation is excluded from the ranking (the baselines exclude train
        // themselves). With a sample, every system is ranked on the same users (one seed, one test part), so the paired
        // tests still pair them.
        var sample = settings.EvalSample;
        IReadOnlyList<Interactions?> exclude = [split.Validation];
        var evaluation = model.Evaluate(split.Test, settings.Cutoffs, sample?.Users, sample?.Seed ?? default, exclude, cancellationToken);
        var systems = new List<(string Name, RankingEvaluation Result)> { (DisplayName(model), evaluation) };
        var popular = Recommenders.EvaluateMostPopular(split.Train, split.Test, exclude, settings.Cutoffs, sample?.Users, sample?.Seed ?? default, cancellationToken);
        systems.Add(("MostPopular", popular));
        baselines["most_popular"] = MetricsReport.Flatten(popular);
        if (Recommenders.CanRunPureSvd(split.Train, out string? tooLarge))
        {
            var svd = Recommenders.EvaluatePureSvd(split.Train, split.Test, settings.Dimension, exclude, settings.Cutoffs, sample?.Users, sample?.Seed ?? default, cancellationToken);
            systems.Add(("PureSVD", svd));
            baselines["pure_svd"] = MetricsReport.Flatten(svd);
        }
        else
        {
            Console.WriteLine($"PureSVD skipped: {tooLarge}");
        }

        if (model.ModelKind != "gf-cf")
        {
            using var filter = SpectralFilter.Fit(dataset, split, FilterOptions(settings), cancellationToken: cancellationToken);
            var filtered = filter.Evaluate(split.Test, settings.Cutoffs, sample?.Users, sample?.Seed ?? default, exclude, cancellationToken);
            systems.Add(("GF-CF", filtered));
            baselines["gf_cf"] = MetricsReport.Flatten(filtered);
        }

        // The spectral filters' published recipes next to LightGCN, each with its significance test, where they are
        // quick: on data small enough for PureSVD's dense SVD.
        if (model is LightGcn && Recommenders.CanRunPureSvd(split.Train, out _))
        {
            foreach (var (name, key, recipe) in new[] { ("BSPM", "bspm", SpectralFilterOptions.Bspm()), ("ChebyCF", "chebycf", SpectralFilterOptions.ChebyCf()) })
            {
                recipe.Seed = settings.Split.Seed;
                using var filter = SpectralFilter.Fit(dataset, split, recipe, cancellationToken: cancellationToken);
                var filtered = filter.Evaluate(split.Test, settings.Cutoffs, sample?.Users, sample?.Seed ?? default, exclude, cancellationToken);
                systems.Add((name, filtered));
                baselines[key] = MetricsReport.Flatten(filtered);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"test metrics ({ConsoleUi.EvaluatedUsers(evaluation, sample)}, {evaluation.ExcludedUsers:N0} without test items excluded; ± is the 95% interval):");
        ConsoleUi.MetricsTable(systems, settings.Cutoffs);
        return (evaluation, baselines);
    }
}

/// <summary>One thread count for libtorch, the sparse kernel and the sampler.</summary>
internal static class Threads
{
    public static int Apply(int threads)
    {
        int resolved = threads > 0 ? threads : Environment.ProcessorCount;
        TorchSharp.torch.set_num_threads(resolved);
        return resolved;
    }
}
