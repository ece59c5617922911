using GraphRec.Core.Kernels;
using GraphRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>Training that stops and resumes from a checkpoint ends exactly where an uninterrupted run ends.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (Interactions Train, Interactions Validation) Data()
    {
        var random = new Random(11);
        var pairs = new SortedSet<(int, int)>();
        while (pairs.Count < 900)
        {
            int user = random.Next(60);
            pairs.Add((user, (user < 30 ? 0 : 20) + random.Next(25)));
        }

        var all = new Interactions(60, 45, [.. Enumerable.Range(0, 61).Select(u => pairs.Count(p => p.Item1 < u))], [.. pairs.Select(p => p.Item2)]);
        var dataset = new InteractionDataset("d", new IdMap(Enumerable.Range(0, 60).Select(u => (long)u)), new IdMap(Enumerable.Range(0, 45).Select(i => (long)i)),
            all, null, new LoadReport(all.Count, 0, 0, 0, []));
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 3));
        return (split.Train, split.Test);
    }

    /// <summary>
    /// Trains a new model; with <paramref name="libTorch"/>, on libtorch's sparse product and Adam, the path of a GPU.
    /// <paramref name="epochsRun"/> receives the epochs it trained.
    /// </summary>
    private static float[] Train(Interactions train, Interactions? validation, LightGcnOptions options, bool libTorch = false, List<int>? epochsRun = null)
    {
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = libTorch ? new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency)) : new LightGcnModel(adjacency, options);
        Assert.Equal(!libTorch, KernelTrainingStep.AppliesTo(model));
        new LightGcnTrainer(options).Train(model, train, validation, epochsRun is null ? null : new Progress(p =>
        {
            if (p.Batch == 1)
            {
                epochsRun.Add(p.Epoch);
            }
        }));
        using var values = model.Embedding.detach().contiguous().data<float>();
        return values.ToArray();
    }

    private static LightGcnOptions Options(int epochs, string? directory) => new()
    {
        EmbeddingDimension = 8, Layers = 2, Epochs = epochs, BatchSize = 64, LearningRate = 0.01, EvaluateEvery = 1, Cutoffs = [5],
        ValidationMetric = "recall@5", CheckpointDirectory = directory, CheckpointEvery = 1, Threads = 2,
    };

    /// <remarks>
    /// With validation the model ends with its best epoch's weights, which may be the checkpoint's own; without, it ends
    /// with the resumed epoch's, which only a faithful restore of Adam's moments and step reproduces.
    /// </remarks>
    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void Two_epochs_then_one_more_from_the_checkpoint_equal_three_straight_bit_for_bit(bool libTorch, bool validate)
    {
        var (train, held) = Data();
        var validation = validate ? held : null;
        string directory = Path.Combine(_folder, $"run-{libTorch}-{validate}");

        float[] straight = Train(train, validation, Options(3, directory: null), libTorch);
        Train(train, validation, Options(2, directory), libTorch);
        var epochsRun = new List<int>();
        float[] resumed = Train(train, validation, Options(3, directory), libTorch, epochsRun);

        Assert.Equal([3], epochsRun);
        Assert.Equal(straight, resumed);
        Assert.True(File.Exists(Path.Combine(directory, TrainingCheckpoint.FileName)));
        Assert.False(File.Exists(Path.Combine(directory, TrainingCheckpoint.FileName + ".tmp")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Training_on_historical_layers_resumes_from_its_checkpoint_bit_for_bit(bool validate)
    {
        var (train, held) = Data();
        var validation = validate ? held : null;
        string directory = Path.Combine(_folder, $"historical-{validate}");
        LightGcnOptions Historical(int epochs, string? folder)
        {
            var options = Options(epochs, folder);
            options.HistoryRefreshesPerEpoch = 2;
            return options;
        }

        float[] straight = Train(train, validation, Historical(3, folder: null));
        Train(train, validation, Historical(2, directory));
        var epochsRun = new List<int>();
        float[] resumed = Train(train, validation, Historical(3, directory), epochsRun: epochsRun);

        Assert.Equal([3], epochsRun);
        Assert.Equal(straight, resumed);
        Assert.NotEqual(straight, Train(train, validation, Options(3, directory: null)));
    }

    [Fact]
    public void A_cancelled_run_leaves_the_last_complete_epoch_and_resuming_ends_where_a_straight_run_ends()
    {
        var (train, validation) = Data();
        string directory = Path.Combine(_folder, "cancelled");
        var options = Options(4, directory);
        options.CheckpointEvery = 100; // only the cancellation writes one
        float[] straight = Train(train, validation, Options(4, directory: null));

        using (var adjacency = NormalizedAdjacency.FromInteractions(train))
        using (var model = new LightGcnModel(adjacency, options))
        using (var stop = new CancellationTokenSource())
        {
            var progress = new Progress(p =>
            {
                if (p.Epoch == 3 && p.Batch == 2)
                {
                    stop.Cancel();
                }
            });
            Assert.ThrowsAny<OperationCanceledException>(() => new LightGcnTrainer(options).Train(model, train, validation, progress, stop.Token));
        }

        Assert.True(File.Exists(Path.Combine(directory, TrainingCheckpoint.FileName)));
        Assert.Equal(straight, Train(train, validation, options));
    }

    [Theory]
    [InlineData("learning rate")]
    [InlineData("schedule")]
    [InlineData("precision")]
    [InlineData("history")]
    public void A_checkpoint_of_other_options_is_refused_with_one_message(string change)
    {
        var (train, validation) = Data();
        string directory = Path.Combine(_folder, "other");
        Train(train, validation, Options(1, directory));
        var other = Options(2, directory);
        if (change == "schedule")
        {
            // A one-rate run's checkpoint, asked for by a run with a schedule.
            other.LearningRateMilestones = [1];
        }
        else if (change == "history")
        {
            // An exact run's checkpoint, asked for by a run on historical layers.
            other.HistoryRefreshesPerEpoch = 1;
        }
        else if (change == "precision")
        {
            // A float32 run's checkpoint, asked for by a run with bfloat16 layers.
            other.BFloat16Layers = true;
        }
        else
        {
            other.LearningRate = 0.02;
        }

        var error = Assert.Throws<ArgumentException>(() => Train(train, validation, other));

        Assert.Contains("belongs to other data, another split or other options", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_with_a_learning_rate_schedule_resumes_past_its_milestone_bit_for_bit()
    {
        var (train, _) = Data();
        string directory = Path.Combine(_folder, "schedule");
        LightGcnOptions Scheduled(int epochs, string? folder)
        {
            var options = Options(epochs, folder);
            (options.LearningRateMilestones, options.LearningRateDecay) = ([2], 0.25);
            return options;
        }

        // Without validation, so that each run ends with its last epoch's weights rather than its best epoch's.
        float[] straight = Train(train, null, Scheduled(3, folder: null));
        float[] constant = Train(train, null, Options(3, directory: null));
        Train(train, null, Scheduled(2, directory));
        float[] resumed = Train(train, null, Scheduled(3, directory));

        Assert.Equal(straight, resumed);
        Assert.NotEqual(constant, resumed);
    }

    [Fact]
    public void A_checkpoint_past_the_epochs_asked_for_is_refused()
    {
        var (train, validation) = Data();
        string directory = Path.Combine(_folder, "past");
        Train(train, validation, Options(3, directory));

        var error = Assert.Throws<ArgumentException>(() => Train(train, validation, Options(2, directory)));

        Assert.Contains("after epoch 3, past LightGcnOptions.Epochs = 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_is_not_float32_is_refused_before_any_checkpoint_is_written()
    {
        var (train, validation) = Data();
        string directory = Path.Combine(_folder, "float64");
        var options = Options(1, directory);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = new LightGcnModel(adjacency, options);
        model.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, model.Embedding.dtype);

        var error = Assert.Throws<ArgumentException>(() => new LightGcnTrainer(options).Train(model, train, validation));

        Assert.Contains("CheckpointDirectory needs a float32 model; this one is Float64", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
