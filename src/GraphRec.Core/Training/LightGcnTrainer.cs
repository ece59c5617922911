using System.Diagnostics;
using System.Globalization;
using GraphRec.Core.Evaluation;
using GraphRec.Core.Models;
using GraphRec.Data;
using GraphRec.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace GraphRec.Core.Training;

/// <summary>Options of <see cref="LightGcnTrainer"/>. Defaults follow the LightGCN paper.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs. Default 100.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Triples per batch. Default 2048.</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Adam's learning rate. Default 0.001.</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>Seed of the sampler. Default 2020.</summary>
    public int Seed { get; init; } = 2020;

    /// <summary>Validate every this many epochs (when validation interactions are given). Default 1.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Stop after this many validations without improvement, restoring the best weights. Default null: never stop early.</summary>
    public int? Patience { get; init; }

    /// <summary>The validation metric to watch, as a key such as <c>recall@20</c>. Default <c>recall@20</c>.</summary>
    public string ValidationMetric { get; init; } = "recall@20";

    /// <summary>Evaluation settings for validation.</summary>
    public FullRankingOptions Evaluation { get; init; } = new();

    /// <summary>Checks every value, so that a mistake is reported before any work rather than after an epoch.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the property and the fix.</exception>
    public void Validate()
    {
        RequirePositive(Epochs, nameof(Epochs));
        RequirePositive(BatchSize, nameof(BatchSize));
        RequirePositive(EvaluateEvery, nameof(EvaluateEvery));
        if (Patience is int patience)
        {
            RequirePositive(patience, nameof(Patience));
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(TrainerOptions)}.{nameof(LearningRate)} must be a positive finite number (the paper's is 0.001); it is {LearningRate}."));
        }

        ArgumentNullException.ThrowIfNull(Evaluation, nameof(Evaluation));
        Evaluation.Validate();
        string[] keys = [.. Evaluation.Cutoffs.SelectMany(k => MetricNames.PerUser.Select(metric => MetricNames.Key(metric, k)))];
        if (!keys.Contains(ValidationMetric, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"{nameof(TrainerOptions)}.{nameof(ValidationMetric)} is '{ValidationMetric}', which validation with cut-offs " +
                $"{string.Join(", ", Evaluation.Cutoffs)} does not compute; use one of {string.Join(", ", keys)}, or add its cut-off to {nameof(Evaluation)}.{nameof(FullRankingOptions.Cutoffs)}.");
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(TrainerOptions)}.{name} must be positive; it is {value}."));
        }
    }
}

/// <summary>Progress of training, for a progress bar.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Loss">Mean loss of the epoch so far.</param>
/// <param name="TriplesPerSecond">Throughput of the epoch so far.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double TriplesPerSecond);

/// <summary>One epoch of the training history.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Loss">Mean loss over the epoch's batches.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch (validation excluded).</param>
/// <param name="Validation">Validation metrics after the epoch, when validated.</param>
public sealed record EpochRecord(int Epoch, double Loss, double Seconds, IReadOnlyDictionary<string, double>? Validation);

/// <summary>What training did. Immutable.</summary>
/// <param name="History">One record per epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds (the best validated one when validating, else the last).</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly);

/// <summary>Training diverged: the loss or the weights became NaN or infinite, so the model is useless and nothing should save it.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the epoch and batch (both 1-based) where the values stopped being finite.</summary>
    public TrainingDivergedException(int epoch, int batch, string what)
        : base(string.Create(CultureInfo.InvariantCulture, $"Training diverged in epoch {epoch}, batch {batch}: {what}. Training stopped; lower the learning rate."))
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The epoch (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based).</summary>
    public int Batch { get; }
}

/// <summary>
/// Trains a <see cref="LightGcnModel"/> with Adam on batches of (user, positive, negative) triples from an
/// <see cref="ISampler"/>, minimising an <see cref="ILoss"/>: each batch propagates through the whole graph, the last
/// layer only for the batch's users and items (<see cref="LightGcnModel.PropagateRows"/>), forward and backward.
/// </summary>
public sealed partial class LightGcnTrainer
{
    private readonly TrainerOptions _options;
    private readonly ILoss _loss;
    private readonly ISampler _sampler;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer; the loss defaults to <see cref="BprLoss"/> (λ = 1e-4), the sampler to <see cref="UniformNegativeSampler"/> with the options' seed.</summary>
    public LightGcnTrainer(TrainerOptions? options = null, ILoss? loss = null, ISampler? sampler = null, ILogger<LightGcnTrainer>? logger = null)
    {
        _options = options ?? new TrainerOptions();
        _options.Validate();
        _loss = loss ?? new BprLoss();
        _sampler = sampler ?? new UniformNegativeSampler(_options.Seed);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/> (the interactions its adjacency was built from).</summary>
    /// <param name="model">The model to train in place.</param>
    /// <param name="train">The training interactions.</param>
    /// <param name="validation">Validation interactions, or null not to validate.</param>
    /// <param name="progress">Receives progress after every batch.</param>
    /// <param name="cancellationToken">Stops training cleanly between batches.</param>
    /// <exception cref="ArgumentException">The interactions do not fit the model, or there is nothing to train on.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the weights became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public Task<TrainingResult> TrainAsync(
        LightGcnModel model, Interactions train, Interactions? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(model, train, nameof(train));
        if (validation is not null)
        {
            CheckFits(model, validation, nameof(validation));
        }

        if (!HasNegativeToDraw(train))
        {
            throw new ArgumentException(
                train.Count == 0
                    ? "There is nothing to train on: the training interactions are empty."
                    : "There is nothing to train on: every user with training interactions has interacted with every item, so no negative item can be drawn.",
                nameof(train));
        }

        return Task.Run(() => Train(model, train, validation, progress, cancellationToken), cancellationToken);
    }

    private TrainingResult Train(LightGcnModel model, Interactions train, Interactions? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // One parallel pass per step on the CPU (FusedAdam); TorchSharp's Adam elsewhere. Both compute PyTorch's Adam.
        using var fused = FusedAdam.Supports(model.Embedding) ? new FusedAdam(model.Embedding, _options.LearningRate, model.Adjacency.MaxDegreeOfParallelism) : null;
        using var optimizer = fused is null ? optim.Adam(model.parameters(), _options.LearningRate) : null;
        Action zeroGrad = fused is null ? () => optimizer!.zero_grad() : fused.ZeroGrad;
        Action step = fused is null ? () => optimizer!.step() : fused.Step;
        var history = new List<EpochRecord>();
        double best = double.NegativeInfinity;
        int bestEpoch = _options.Epochs, sinceBest = 0;
        Tensor? bestWeights = null;
        bool stoppedEarly = false;
        TripleSet? triples = null;
        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                triples = _sampler.Sample(train, epoch, triples);
                int batches = (triples.Count + _options.BatchSize - 1) / _options.BatchSize;
                double lossSum = 0;
                model.train();
                for (int batch = 0; batch < batches; batch++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int start = batch * _options.BatchSize, length = Math.Min(_options.BatchSize, triples.Count - start);
                    double loss = TrainBatch(model, zeroGrad, step, triples, start, length);
                    if (!double.IsFinite(loss))
                    {
                        throw new TrainingDivergedException(epoch, batch + 1, string.Create(CultureInfo.InvariantCulture, $"the loss became {loss}"));
                    }

                    lossSum += loss;
                    progress?.Report(new TrainingProgress(epoch, _options.Epochs, batch + 1, batches, lossSum / (batch + 1),
                        (start + length) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
                }

                double seconds = clock.Elapsed.TotalSeconds;

                // The loss is computed before each step, so the last step of an epoch could ruin the weights unseen.
                if (!ScoreRange.IsFinite(model))
                {
                    throw new TrainingDivergedException(epoch, batches, "the embeddings became NaN or infinite");
                }

                Dictionary<string, double>? metrics = null;
                if (validation is not null && epoch % _options.EvaluateEvery == 0)
                {
                    metrics = Validate(model, train, validation, cancellationToken);
                    double value = metrics[_options.ValidationMetric];
                    if (value > best)
                    {
                        (best, bestEpoch, sinceBest) = (value, epoch, 0);
                        bestWeights?.Dispose();
                        bestWeights = model.Embedding.detach().clone();
                    }
                    else if (_options.Patience is int patience && ++sinceBest >= patience)
                    {
                        stoppedEarly = true;
                    }
                }

                double meanLoss = lossSum / Math.Max(batches, 1);
                history.Add(new EpochRecord(epoch, meanLoss, seconds, metrics));
                LogEpoch(_logger, epoch, _options.Epochs, meanLoss, seconds);
                if (stoppedEarly)
                {
                    break;
                }
            }

            if (bestWeights is not null)
            {
                using var noGrad = no_grad();
                model.Embedding.copy_(bestWeights);
            }
            else
            {
                bestEpoch = history.Count;
            }

            return new TrainingResult(history, bestEpoch, stoppedEarly);
        }
        finally
        {
            bestWeights?.Dispose();
        }
    }

    private static void CheckFits(LightGcnModel model, Interactions interactions, string name)
    {
        if (interactions.UserCount != model.UserCount || interactions.ItemCount != model.ItemCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The {name} interactions are {interactions.UserCount} users x {interactions.ItemCount} items, the model {model.UserCount} x {model.ItemCount}: build the model's adjacency from the same training interactions."),
                name);
        }
    }

    private static bool HasNegativeToDraw(Interactions train)
    {
        for (int user = 0; user < train.UserCount; user++)
        {
            int count = train.CountOf(user);
            if (count > 0 && count < train.ItemCount)
            {
                return true;
            }
        }

        return false;
    }

    private double TrainBatch(
        LightGcnModel model, Action zeroGrad, Action step, TripleSet triples, int start, int length)
    {
        using var scope = NewDisposeScope();
        // The batch's users, positives and negatives as node indices, laid out [u; i; j], so that each of the final and
        // the layer-0 embeddings is gathered (and scattered back in backward) once rather than three times.
        var nodes = new int[3 * length];
        triples.Users.AsSpan(start, length).CopyTo(nodes);
        for (int t = 0; t < length; t++)
        {
            nodes[length + t] = model.UserCount + triples.Positives[start + t];
            nodes[(2 * length) + t] = model.UserCount + triples.Negatives[start + t];
        }

        zeroGrad();
        var final = model.PropagateRows(nodes).split(length);
        var layer0 = model.Embedding.index_select(0, tensor(nodes, device: model.Embedding.device).to_type(ScalarType.Int64)).split(length);
        var loss = _loss.Compute(new TripleEmbeddings(final[0], final[1], final[2], layer0[0], layer0[1], layer0[2]));
        loss.backward();
        step();
        return loss.item<float>();
    }

    private Dictionary<string, double> Validate(LightGcnModel model, Interactions train, Interactions validation, CancellationToken cancellationToken)
    {
        model.eval();
        using var scorer = new LightGcnScorer(model);
        var result = FullRankingEvaluator.Evaluate(scorer, validation, [train], _options.Evaluation, cancellationToken);
        return result.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs}: loss {Loss:F5}, {Seconds:F2} s")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double loss, double seconds);
}
