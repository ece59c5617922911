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
internal sealed record TrainingResult(IReadOnlyList<TrainingProgress> History, int BestEpoch, bool StoppedEarly);

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

    /// <summary>
    /// Whether the model's initial embeddings are not the seeded ones (a warm start): its checkpoints then belong to
    /// those embeddings, which the options' seed no longer determines.
    /// </summary>
    public bool WarmStarted { get; init; }

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/> (the interactions its adjacency was built from).</summary>
    /// <param name="model">The model to train in place.</param>
    /// <param name="train">The training interactions.</param>
    /// <param name="validation">Validation interactions, or null (or empty) not to validate.</param>
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

        // No held-out interaction, no user to rank: its metrics would be NaN, and no epoch could be kept as the best.
        if (validation is { Count: 0 })
        {
            validation = null;
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
        using var step = model.CreateTrainingStep(_options.LearningRate, _options.Precision, _options.HistoryRefreshesPerEpoch);
        var run = Start(model, step, train, validation);
        try
        {
            for (int epoch = run.FirstEpoch; epoch <= _options.Epochs && !run.StoppedEarly; epoch++)
            {
                var trained = TrainEpoch(model, step, train, run, epoch, progress, cancellationToken);
                var metrics = validation is not null && epoch % _options.EvaluateEvery == 0
                    ? Validate(model, train, validation, run, epoch, cancellationToken)
                    : null;
                run.History.Add(trained with { Validation = metrics });
                LogEpoch(_logger, epoch, _options.Epochs, trained.Loss, trained.Seconds);
                KeepCheckpoint(model, step, run, epoch);
            }

            return Finish(model, run);
        }
        catch (OperationCanceledException) when (run.Directory is not null && run.LastEpoch is not null)
        {
            if (TrySaveCheckpoint(run.Directory, run.Fingerprint, run.LastEpoch))
            {
                LogCheckpointOnCancel(_logger, run.LastEpoch.Epoch, run.Directory);
            }

            throw;
        }
        finally
        {
            run.BestWeights?.Dispose();
        }
    }

    /// <summary>A run's state before its first epoch: a fresh one, or the one in the checkpoint folder, restored into the model and Adam.</summary>
    private RunState Start(LightGcnModel model, IAdamState adam, Interactions train, Interactions? validation)
    {
        var run = new RunState(_options.CheckpointDirectory) { BestEpoch = _options.Epochs };
        if (run.Directory is not { } directory)
        {
            return run;
        }

        if (model.Embedding.dtype != ScalarType.Float32)
        {
            // A checkpoint holds float32 values, which would round the weights and moments of a wider model.
            throw new ArgumentException($"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.CheckpointDirectory)} needs a float32 model; this one is {model.Embedding.dtype}. Convert it to float32, or train without checkpoints.");
        }

        run.Fingerprint = TrainingCheckpoint.Fingerprint(train, validation, _options, _loss, _sampler, WarmStarted ? model.Embedding : null);

        // Before the first epoch, not after the last: a folder that cannot hold the checkpoint must not cost the run.
        AtomicFile.CheckWritableFolder(directory, $"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.CheckpointDirectory)}", TrainingCheckpoint.FileName);
        if (TrainingCheckpoint.Load(directory, run.Fingerprint, (int)model.Embedding.numel()) is not { } resumed)
        {
            return run;
        }

        if (resumed.Epoch > _options.Epochs)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The checkpoint in {directory} is after epoch {resumed.Epoch}, past {nameof(LightGcnOptions)}.{nameof(LightGcnOptions.Epochs)} = {_options.Epochs}: ask for at least {resumed.Epoch} epochs, or use an empty folder."));
        }

        Restore(model, adam, resumed);
        run.History.AddRange(resumed.History);
        (run.Best, run.BestEpoch, run.SinceBest, run.FirstEpoch, run.LastEpoch) = (resumed.Best, resumed.BestEpoch, resumed.SinceBest, resumed.Epoch + 1, resumed);
        run.BestWeights = resumed.BestWeights is { } saved ? tensor(saved, model.Embedding.shape, device: model.Embedding.device).DetachFromDisposeScope() : null;
        LogResumed(_logger, resumed.Epoch, directory);
        return run;
    }

    /// <summary>One epoch of batches: the epoch's learning rate, its triples, a step per batch; returns where it ended (mean loss, seconds, throughput).</summary>
    private TrainingProgress TrainEpoch(
        LightGcnModel model, ITrainingStep step, Interactions train, RunState run, int epoch, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        step.LearningRate = _options.LearningRateAt(epoch);
        var triples = run.Triples = PluginContracts.Sample(_sampler, train, epoch, run.Triples);
        int batches = (triples.Count + _options.BatchSize - 1) / _options.BatchSize;
        double lossSum = 0;
        model.train();
        step.BeginEpoch(epoch, batches);
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
                double elapsed = clock.Elapsed.TotalSeconds;
                progress?.Report(new TrainingProgress(epoch, _options.Epochs, batch + 1, batches, lossSum / (batch + 1), (start + length) / Math.Max(elapsed, 1e-9), elapsed));
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

        return new TrainingProgress(epoch, _options.Epochs, batches, batches, lossSum / Math.Max(batches, 1), triples.Count / Math.Max(seconds, 1e-9), seconds);
    }

    private double TrainBatch(LightGcnModel model, ITrainingStep step, TripleSet triples, int start, int length)
    {
        using var scope = NewDisposeScope();
        return step.Run(_loss, triples.BatchNodes(start, length, model.UserCount), length);
    }

    /// <summary>Evaluates on the validation interactions and keeps the best weights so far; decides early stopping.</summary>
    private Dictionary<string, double> Validate(
        LightGcnModel model, Interactions train, Interactions validation, RunState run, int epoch, CancellationToken cancellationToken)
    {
        model.eval();
        Dictionary<string, double> metrics;
        using (var scorer = new LightGcnScorer(model))
        {
            var result = FullRankingEvaluator.Evaluate(scorer, validation, [train], _options.ResolveCutoffs(), cancellationToken: cancellationToken);
            metrics = result.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean);
        }

        double value = metrics[_options.ValidationMetric];
        if (value > run.Best)
        {
            (run.Best, run.BestEpoch, run.SinceBest) = (value, epoch, 0);
            run.BestWeights?.Dispose();
            run.BestWeights = model.Embedding.detach().clone();
        }
        else if (_options.Patience is int patience && ++run.SinceBest >= patience)
        {
            run.StoppedEarly = true;
        }

        return metrics;
    }

    /// <summary>
    /// With a checkpoint folder, keeps the state after <paramref name="epoch"/> (so that a cancellation mid-epoch can save
    /// the last complete one) and writes it every <see cref="LightGcnOptions.CheckpointEvery"/> epochs, after the last
    /// and when stopping early.
    /// </summary>
    private void KeepCheckpoint(LightGcnModel model, IAdamState adam, RunState run, int epoch)
    {
        if (run.Directory is null)
        {
            return;
        }

        var (first, second, adamStep) = adam.ExportState();
        run.LastEpoch = new TrainingState(epoch, adamStep, TrainingCheckpoint.Copy(model.Embedding), first, second, run.Best, run.BestEpoch, run.SinceBest,
            run.BestWeights is null ? null : TrainingCheckpoint.Copy(run.BestWeights), [.. run.History]);
        if (epoch % _options.CheckpointEvery == 0 || epoch == _options.Epochs || run.StoppedEarly)
        {
            TrySaveCheckpoint(run.Directory, run.Fingerprint, run.LastEpoch);
        }
    }

    /// <summary>Leaves the best validated weights in the model, if any were kept; what training did.</summary>
    private static TrainingResult Finish(LightGcnModel model, RunState run)
    {
        if (run.BestWeights is not null)
        {
            using var noGrad = no_grad();
            model.Embedding.copy_(run.BestWeights);
        }
        else
        {
            run.BestEpoch = run.History.Count;
        }

        return new TrainingResult(run.History, run.BestEpoch, run.StoppedEarly);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming after epoch {Epoch} from the checkpoint in {Directory}")]
    private static partial void LogResumed(ILogger logger, int epoch, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled: the state after epoch {Epoch} is in {Directory}")]
    private static partial void LogCheckpointOnCancel(ILogger logger, int epoch, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint after epoch {Epoch} could not be written in {Directory}; training goes on without it: {Reason}")]
    private static partial void LogCheckpointFailed(ILogger logger, int epoch, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs}: loss {Loss:F5}, {Seconds:F2} s")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double loss, double seconds);

    /// <summary>What a run carries from epoch to epoch.</summary>
    private sealed class RunState(string? directory)
    {
        /// <summary>The checkpoint folder, or null.</summary>
        public string? Directory { get; } = directory;

        /// <summary>The fingerprint of the data and options a checkpoint belongs to (with a folder).</summary>
        public string Fingerprint { get; set; } = "";

        public List<TrainingProgress> History { get; } = [];

        public int FirstEpoch { get; set; } = 1;

        public double Best { get; set; } = double.NegativeInfinity;

        public int BestEpoch { get; set; }

        public int SinceBest { get; set; }

        public Tensor? BestWeights { get; set; }

        public bool StoppedEarly { get; set; }

        /// <summary>The last epoch's triples, which the sampler may reuse.</summary>
        public TripleSet? Triples { get; set; }

        /// <summary>The state after the last complete epoch, with a checkpoint folder.</summary>
        public TrainingState? LastEpoch { get; set; }
    }
}
