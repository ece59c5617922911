using System.Globalization;
using GraphRec.Metrics;

namespace GraphRec.Core;

/// <summary>
/// Everything that shapes a LightGCN run: the model's hyperparameters, training and validation. Settable, so that
/// <c>IOptions&lt;LightGcnOptions&gt;</c> can bind it from configuration; <see cref="Validate"/> checks it, and every
/// GraphRec type that takes it calls that before any work.
/// </summary>
/// <remarks>
/// The defaults are the ones behind the README's MovieLens 100K figures: the paper's dimension, layers, initialisation
/// and weight decay; a learning rate, batch size and epoch count measured on MovieLens 100K (the paper's 0.001 and
/// 2048 are far from converged after a minute there); and a fixed seed, so that the same data gives the same model in
/// every run. For the paper's Gowalla setting use <c>LearningRate = 0.001, BatchSize = 2048, Epochs = 1000</c>; with
/// <c>LearningRate = 0.005</c>, <c>LearningRateMilestones = [50]</c> and <c>LearningRateDecay = 0.2</c> it reaches each
/// accuracy level sooner and ends no lower, as the Gowalla convergence benchmark shows (docs/benchmarks.md).
/// </remarks>
public sealed class LightGcnOptions
{
    /// <summary>The most propagation layers a model may have. Beyond a handful, LightGCN's layers only smooth the embeddings
    /// towards each other (the paper uses at most 4); the bound keeps a damaged or forged model file from asking for
    /// millions of products.</summary>
    public const int MaxLayers = 64;

    /// <summary>Embedding size. Default 64.</summary>
    public int EmbeddingDimension { get; set; } = 64;

    /// <summary>Number of propagation layers K, from 0 to <see cref="MaxLayers"/>. Default 3.</summary>
    public int Layers { get; set; } = 3;

    /// <summary>Layer weights α_0 .. α_K (K + 1 finite values). Default null: uniform weights 1 / (K + 1).</summary>
    public IList<float>? LayerWeights { get; set; }

    /// <summary>Standard deviation of the normal initialisation of the embeddings. Default 0.1, as in the paper's code.</summary>
    public float InitStandardDeviation { get; set; } = 0.1f;

    /// <summary>Seed of the initial embeddings and of the sampler. Default 2020.</summary>
    public int Seed { get; set; } = 2020;

    /// <summary>Training epochs. Default 50.</summary>
    public int Epochs { get; set; } = 50;

    /// <summary>Triples per batch. Default 1024.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>Adam's learning rate, positive and finite. Default 0.005.</summary>
    public double LearningRate { get; set; } = 0.005;

    /// <summary>
    /// Epochs after which the learning rate is multiplied by <see cref="LearningRateDecay"/>, positive and ascending, as
    /// PyTorch's <c>MultiStepLR</c> does: with <c>[80]</c> and 0.2, epochs 1 to 80 train at <see cref="LearningRate"/> and
    /// every later epoch at a fifth of it. Default empty: one learning rate throughout.
    /// </summary>
    public IList<int> LearningRateMilestones { get; set; } = [];

    /// <summary>The factor the learning rate is multiplied by at each of <see cref="LearningRateMilestones"/>, more than 0 and at most 1. Default 0.1.</summary>
    public double LearningRateDecay { get; set; } = 0.1;

    /// <summary>The weight λ of the L2 term of the BPR loss on the batch's layer-0 embeddings, 0 or more. Default 1e-4, the paper's.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Validate every this many epochs, when there are validation interactions. Default 5.</summary>
    public int EvaluateEvery { get; set; } = 5;

    /// <summary>Stop after this many validations without improvement, keeping the best weights. Default null: never stop early.</summary>
    public int? Patience { get; set; }

    /// <summary>
    /// The validation metric whose best epoch's weights are kept, as a key such as <c>recall@20</c>: a metric of
    /// <see cref="MetricNames.PerUser"/> at one of <see cref="Cutoffs"/>. Default <c>recall@20</c>.
    /// </summary>
    public string ValidationMetric { get; set; } = "recall@20";

    /// <summary>The cut-offs K of validation and evaluation. Default 10 and 20.</summary>
    public IList<int> Cutoffs { get; set; } = [10, 20];

    /// <summary>
    /// Threads of GraphRec's sparse kernel and sampler; all processors when 0 (the default). libtorch's own threads are
    /// the application's to set (<c>torch.set_num_threads</c>): they are global to the process.
    /// </summary>
    /// <remarks>
    /// The kernel runs on the .NET thread pool. On a machine with few cores, an app that trains should keep idle pool
    /// workers from spinning (runtime setting <c>System.Threading.ThreadPool.UnfairSemaphoreSpinLimit</c> = 0, or
    /// <c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0</c>): a spinning worker takes turns with the kernel's threads, and
    /// a Gowalla epoch on 2 cores is measurably slower with the default (the gowalla benchmark). A process-wide setting, so
    /// the library leaves it to the app.
    /// </remarks>
    public int Threads { get; set; }

    /// <summary>
    /// A folder for training checkpoints, or null (the default) for none. Training writes the state after every
    /// <see cref="CheckpointEvery"/> epochs, after the last, and after the last complete epoch when it is cancelled; when
    /// the folder already holds a checkpoint of the same data, split and options, training continues from it, and the
    /// result is the same, bit for bit, as a run that was never interrupted. A checkpoint of other data or options is
    /// refused. Needs a float32 model (the checkpoint holds float32 values).
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Write a checkpoint every this many epochs, when <see cref="CheckpointDirectory"/> is set. Default 10.</summary>
    public int CheckpointEvery { get; set; } = 10;

    /// <summary>
    /// Whether the CPU training step keeps the propagated layers <c>Â^k E</c> and their gradients in bfloat16 between its
    /// sparse products (8 bits of mantissa, float32's range), summing in float32: each product then fetches half the
    /// bytes per neighbour row. Default false: float32 throughout, the reference code's arithmetic. The embeddings,
    /// Adam's moments, the loss, evaluation and inference stay float32 either way. When true it trains at the same
    /// accuracy to the third digit on Gowalla and MovieLens 100K, in a shorter epoch where the products wait on memory
    /// (docs/training.md), with results the same on any thread count but not bit for bit those of float32. Needs a
    /// float32 model on the CPU.
    /// </summary>
    public bool BFloat16Layers { get; set; }

    /// <summary><see cref="BFloat16Layers"/> as the training step's precision.</summary>
    internal TrainingPrecision Precision => BFloat16Layers ? TrainingPrecision.BFloat16Layers : TrainingPrecision.Full;

    /// <summary>
    /// How training propagates: 0 (the default) for exact training, where every batch propagates the whole graph,
    /// forward and backward, and Adam updates every row, so that an epoch grows with the square of the interactions; a
    /// positive n for training on historical layers (GNNAutoScale, Fey et al. 2021; LTGNN, Zhang et al. 2024), whose
    /// epoch grows nearly linearly with them: the layers are those of a whole-graph propagation made n times per epoch (at its
    /// first batch and every ⌈batches / n⌉ batches), a batch corrects its nodes' first layer from a sample of at most 16
    /// neighbours each, on the current embeddings and with the gradient, and Adam updates only the rows the batch
    /// touched. It trains an ordinary model (the same
    /// serving, evaluation and model file), approximately: measure it against exact training on your data
    /// (docs/scaling.md). Needs a float32 model on the CPU, and <see cref="BFloat16Layers"/> false.
    /// </summary>
    public int HistoryRefreshesPerEpoch { get; set; }

    /// <summary>Checks every value, so that a mistake is reported before any work rather than after an epoch.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the property and what it must be.</exception>
    public void Validate()
    {
        Require(EmbeddingDimension > 0, nameof(EmbeddingDimension), "positive", EmbeddingDimension);
        Require(Layers is >= 0 and <= MaxLayers, nameof(Layers), $"from 0 to {MaxLayers}", Layers);
        Require(InitStandardDeviation > 0 && float.IsFinite(InitStandardDeviation), nameof(InitStandardDeviation), "positive and finite", InitStandardDeviation);
        if (LayerWeights is not null && (LayerWeights.Count != Layers + 1 || LayerWeights.Any(w => !float.IsFinite(w))))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(LightGcnOptions)}.{nameof(LayerWeights)} needs {Layers + 1} finite values (α_0 .. α_{Layers}); it is [{string.Join(", ", LayerWeights)}]."));
        }

        Require(Epochs > 0, nameof(Epochs), "positive", Epochs);
        Require(BatchSize > 0, nameof(BatchSize), "positive", BatchSize);
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "a positive finite number (the paper's is 0.001)", LearningRate);
        if (LearningRateMilestones is null || LearningRateMilestones.Any(m => m <= 0) || LearningRateMilestones.Zip(LearningRateMilestones.Skip(1)).Any(pair => pair.First >= pair.Second))
        {
            throw new ArgumentException(
                $"{nameof(LightGcnOptions)}.{nameof(LearningRateMilestones)} needs positive epochs in ascending order, each once (empty: one learning rate throughout); it is {(LearningRateMilestones is null ? "null" : $"[{string.Join(", ", LearningRateMilestones)}]")}.");
        }

        Require(LearningRateDecay is > 0 and <= 1, nameof(LearningRateDecay), "more than 0 and at most 1", LearningRateDecay);
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), "a finite number, 0 or more (the paper's is 1e-4)", WeightDecay);
        Require(EvaluateEvery > 0, nameof(EvaluateEvery), "positive", EvaluateEvery);
        Require(Patience is null or > 0, nameof(Patience), "positive or null (never stop early)", Patience);
        Require(Threads >= 0, nameof(Threads), "0 (all processors) or more", Threads);
        Require(CheckpointEvery > 0, nameof(CheckpointEvery), "positive", CheckpointEvery);
        Require(HistoryRefreshesPerEpoch >= 0, nameof(HistoryRefreshesPerEpoch), "0 (exact training) or a positive number of refreshes per epoch", HistoryRefreshesPerEpoch);
        Require(HistoryRefreshesPerEpoch == 0 || !BFloat16Layers, nameof(HistoryRefreshesPerEpoch),
            $"0 with {nameof(BFloat16Layers)} = true (historical layers are kept in float32; set {nameof(BFloat16Layers)} to false with them)", HistoryRefreshesPerEpoch);
        Require(CheckpointDirectory is null || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), "a folder or null", CheckpointDirectory);
        if (Cutoffs is null || Cutoffs.Count == 0 || Cutoffs.Any(k => k <= 0))
        {
            throw new ArgumentException(
                $"{nameof(LightGcnOptions)}.{nameof(Cutoffs)} needs at least one cut-off, all positive; it is {(Cutoffs is null ? "null" : $"[{string.Join(", ", Cutoffs)}]")}.");
        }

        if (ValidationMetric is null)
        {
            throw new ArgumentException($"{nameof(LightGcnOptions)}.{nameof(ValidationMetric)} is null; use a key such as recall@{Cutoffs.Max()}.");
        }

        string[] keys = [.. Cutoffs.Distinct().Order().SelectMany(k => MetricNames.PerUser.Select(metric => MetricNames.Key(metric, k)))];
        if (!keys.Contains(ValidationMetric, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"{nameof(LightGcnOptions)}.{nameof(ValidationMetric)} is '{ValidationMetric}', which validation with cut-offs " +
                $"{string.Join(", ", Cutoffs)} does not compute; use one of {string.Join(", ", keys)}, or add its cut-off to {nameof(Cutoffs)}.");
        }
    }

    /// <summary>
    /// Refuses an <see cref="EmbeddingDimension"/> whose float32 tables for <paramref name="nodeCount"/> users and items
    /// do not fit in memory: the embedding table, and when <paramref name="training"/> Adam's two moments of the same
    /// shape as well (a lower bound: training keeps per-batch buffers too).
    /// </summary>
    internal void RequireMemoryFor(long nodeCount, bool training)
    {
        int tables = training ? 3 : 1;
        OptionChecks.RequireMemory(nameof(LightGcnOptions), nameof(EmbeddingDimension), EmbeddingDimension,
            (Int128)nodeCount * EmbeddingDimension * sizeof(float) * tables,
            string.Create(CultureInfo.InvariantCulture, $"{nodeCount:N0} users and items x {EmbeddingDimension:N0} float32 values") +
                (training ? " in the embedding table and each of Adam's two moments" : " in the embedding table"));
    }

    /// <summary>The layer weights in use: <see cref="LayerWeights"/>, or uniform.</summary>
    internal float[] ResolveLayerWeights() =>
        LayerWeights is null ? [.. Enumerable.Repeat(1f / (Layers + 1), Layers + 1)] : [.. LayerWeights];

    /// <summary>The learning rate of epoch <paramref name="epoch"/> (from 1): <see cref="LearningRate"/> times <see cref="LearningRateDecay"/> once for each milestone before it.</summary>
    internal double LearningRateAt(int epoch) => LearningRate * Math.Pow(LearningRateDecay, LearningRateMilestones.Count(milestone => milestone < epoch));

    /// <summary>The cut-offs, distinct and ascending.</summary>
    internal int[] ResolveCutoffs() => [.. Cutoffs.Distinct().Order()];

    /// <summary>A copy, so that a caller changing these options later does not change a model built from them.</summary>
    internal LightGcnOptions Clone()
    {
        var copy = (LightGcnOptions)MemberwiseClone();
        // Null lists stay null, for Validate to name them.
        copy.LayerWeights = LayerWeights is null ? null : [.. LayerWeights];
        copy.Cutoffs = Cutoffs is null ? null! : [.. Cutoffs];
        copy.LearningRateMilestones = LearningRateMilestones is null ? null! : [.. LearningRateMilestones];
        return copy;
    }

    private static void Require(bool valid, string name, string what, object? value) =>
        OptionChecks.Require(valid, nameof(LightGcnOptions), name, what, value);
}
