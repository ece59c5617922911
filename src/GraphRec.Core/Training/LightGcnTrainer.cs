using System.Diagnostics;
using System.Globalization;
using GraphRec.Data;
using GraphRec.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>What training did. Immutable.</summary>
/// <param name="History">One record per epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds (the best validated one when validating, else the last).</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
internal sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly);

/// <summary>
/// Trains a <see cref="LightGcnModel"/> with Adam on batches of (user, positive, negative) triples from an
/// <see cref="ISampler"/>, minimising an <see cref="ILoss"/>: each batch propagates through the whole graph, the last
/// layer only for the batch's users and items (<see cref="LightGcnModel.PropagateRows"/>), forward and backward, in the
/// step the model makes for its device (<see cref="LightGcnModel.CreateTrainingStep"/>).
/// </summary>
internal sealed partial class LightGcnTrainer
{
    private readonly LightGcnOptions _options;
    private readonly ILoss _loss;
    private readonly ISampler _sampler;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer; the loss defaults to <see cref="BprLoss"/> with the options' weight decay, the sampler to <see cref="Samplers.UniformUsers"/> with their seed and threads.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LightGcnTrainer(LightGcnOptions? options = null, ILoss? loss = null, ISampler? sampler = null, ILogger? logger = null)
    {
        _options = (options ?? new LightGcnOptions()).Clone();
        _options.Validate();
        _loss = loss ?? new BprLoss(_options.WeightDecay);
        _sampler = sampler ?? Samplers.UniformUsers(_options.Seed, _options.Threads);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/> (the interactions its adjacency was built from).</summary>
    /// <param name="model">The model to train in place.</param>
    /// <param name="train">The training interactions.</param>
    /// <param name="validation">Validation interactions, or null not to validate.</param>
    /// <param name="progress">
    /// Receives progress after every batch. Not the place to read the model: mid-epoch its embeddings are being updated
    /// and, on the CPU, kept in the trainer's own row order until the epoch ends.
    /// </param>
    /// <param name="cancellationToken">Stops training cleanly between batches.</param>
    /// <exception cref="ArgumentException">The interactions do not fit the model, or there is nothing to train on.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the weights became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The sampler or the loss broke its contract (<see cref="ISampler.Sample"/>, <see cref="ILoss.Compute"/>); the message says how.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingResult Train(
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

        return Run(model, train, validation, progress, cancellationToken);
    }

    private TrainingResult Run(LightGcnModel model, Interactions train, Interactions? validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // The model's step: autograd through its formulas, or on the CPU the kernel's step, which computes the same.
        using var step = model.CreateTrainingStep(_options.LearningRate, _options.TrainingPrecision);
        var history = new List<EpochRecord>();
        double best = double.NegativeInfinity;
        int bestEpoch = _options.Epochs, sinceBest = 0, firstEpoch = 1;
        Tensor? bestWeights = null;
        bool stoppedEarly = false;
        TripleSet? triples = null;
        string? directory = _options.CheckpointDirectory;
        string fingerprint = directory is null ? "" : TrainingCheckpoint.Fingerprint(train, validation, _options, _loss, _sampler);
        TrainingState? lastEpoch = null;
        if (directory is not null)
        {
            if (model.Embedding.dtype != ScalarType.Float32)
            {
                // A checkpoint holds float32 values, which would round the weights and moments of a wider model.
                throw new ArgumentException($"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.CheckpointDirectory)} needs a float32 model; this one is {model.Embedding.dtype}. Convert it to float32, or train without checkpoints.");
            }

            // Before the first epoch, not after the last: a folder that cannot hold the checkpoint must not cost the run.
            AtomicFile.CheckWritableFolder(directory, $"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.CheckpointDirectory)}", TrainingCheckpoint.FileName);
            if (TrainingCheckpoint.Load(directory, fingerprint, (int)model.Embedding.numel()) is { } resumed)
            {
                if (resumed.Epoch > _options.Epochs)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The checkpoint in {directory} is after epoch {resumed.Epoch}, past {nameof(LightGcnOptions)}.{nameof(LightGcnOptions.Epochs)} = {_options.Epochs}: ask for at least {resumed.Epoch} epochs, or use an empty folder."));
                }

                Restore(model, step, resumed);
                (history, best, bestEpoch, sinceBest, firstEpoch, lastEpoch) = ([.. resumed.History], resumed.Best, resumed.BestEpoch, resumed.SinceBest, resumed.Epoch + 1, resumed);
                bestWeights = resumed.BestWeights is { } saved ? tensor(saved, model.Embedding.shape, device: model.Embedding.device).DetachFromDisposeScope() : null;
                LogResumed(_logger, resumed.Epoch, directory);
            }
        }

        try
        {
            for (int epoch = firstEpoch; epoch <= _options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                step.LearningRate = _options.LearningRateAt(epoch);
                triples = PluginContracts.CheckTriples(_sampler.Sample(train, epoch, triples), train, _sampler, epoch);
                int batches = (triples.Count + _options.BatchSize - 1) / _options.BatchSize;
                double lossSum = 0;
                model.train();
                try
                {
                    for (int batch = 0; batch < batches; batch++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        int start = batch * _options.BatchSize, length = Math.Min(_options.BatchSize, triples.Count - start);
                        double loss = TrainBatch(model, step, triples, start, length);
                        if (!double.IsFinite(loss))
                        {
                            throw new TrainingDivergedException(epoch, batch + 1, string.Create(CultureInfo.InvariantCulture, $"the loss became {loss}"));
                        }

                        lossSum += loss;
                        progress?.Report(new TrainingProgress(epoch, _options.Epochs, batch + 1, batches, lossSum / (batch + 1),
                            (start + length) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
                    }
                }
                finally
                {
                    // A step may keep the embeddings in its own order while it runs batches.
                    step.EndEpoch();
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
                if (directory is not null)
                {
                    // Kept after every epoch, so that a cancellation mid-epoch can save the last complete one.
                    var (first, second, adamStep) = step.ExportState();
                    lastEpoch = new TrainingState(epoch, adamStep, TrainingCheckpoint.Copy(model.Embedding), first, second, best, bestEpoch, sinceBest,
                        bestWeights is null ? null : TrainingCheckpoint.Copy(bestWeights), [.. history]);
                    if (epoch % _options.CheckpointEvery == 0 || epoch == _options.Epochs || stoppedEarly)
                    {
                        TrySaveCheckpoint(directory, fingerprint, lastEpoch);
                    }
                }

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
        catch (OperationCanceledException) when (directory is not null && lastEpoch is not null)
        {
            if (TrySaveCheckpoint(directory, fingerprint, lastEpoch))
            {
                LogCheckpointOnCancel(_logger, lastEpoch.Epoch, directory);
            }

            throw;
        }
        finally
        {
            bestWeights?.Dispose();
        }
    }

    /// <summary>
    /// Writes a checkpoint; when it cannot be written (a full disk, a folder gone), logs why and lets training go on:
    /// a checkpoint only saves time, and its failure must not cost the model being trained.
    /// </summary>
    private bool TrySaveCheckpoint(string directory, string fingerprint, TrainingState state)
    {
        try
        {
            TrainingCheckpoint.Save(directory, fingerprint, state);
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogCheckpointFailed(_logger, state.Epoch, directory, error.Message);
            return false;
        }
    }

    private static void Restore(LightGcnModel model, IAdamState adam, TrainingState state)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.Embedding.copy_(tensor(state.Embedding, model.Embedding.shape));
        adam.ImportState(state.FirstMoment, state.SecondMoment, state.AdamStep);
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

    private double TrainBatch(LightGcnModel model, ITrainingStep step, TripleSet triples, int start, int length)
    {
        using var scope = NewDisposeScope();
        return step.Run(_loss, triples.BatchNodes(start, length, model.UserCount), length);
    }

    private Dictionary<string, double> Validate(LightGcnModel model, Interactions train, Interactions validation, CancellationToken cancellationToken)
    {
        model.eval();
        using var scorer = new LightGcnScorer(model);
        var result = FullRankingEvaluator.Evaluate(scorer, validation, [train], _options.ResolveCutoffs(), cancellationToken);
        return result.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming after epoch {Epoch} from the checkpoint in {Directory}")]
    private static partial void LogResumed(ILogger logger, int epoch, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled: the state after epoch {Epoch} is in {Directory}")]
    private static partial void LogCheckpointOnCancel(ILogger logger, int epoch, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint after epoch {Epoch} could not be written in {Directory}; training goes on without it: {Reason}")]
    private static partial void LogCheckpointFailed(ILogger logger, int epoch, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs}: loss {Loss:F5}, {Seconds:F2} s")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double loss, double seconds);
}
