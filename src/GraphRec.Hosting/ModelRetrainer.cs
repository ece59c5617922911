using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>
/// Keeps the served model fresh: reads the current events from the registered <see cref="IDatasetProvider"/>, trains
/// a model of the served kind on all of them (LightGCN warm-started from the served model when
/// <see cref="RetrainingOptions.WarmStart"/>; a graph filter fitted again with its own options), writes it atomically
/// and serves it. Runs on <see cref="RetrainingOptions.Interval"/> and whenever <see cref="RetrainAsync"/> is called;
/// one retrain at a time. Registered by <c>AddGraphRecRetraining</c>.
/// </summary>
/// <remarks>
/// A retrain that fails (the source is down, a row is bad, training diverges, the file cannot be written) logs one
/// error and changes nothing: the served model keeps serving. Requests are served throughout; the switch to the new
/// model is the served model's reload, in which requests in flight finish on the model they started with.
/// </remarks>
public sealed partial class ModelRetrainer : BackgroundService
{
    private readonly ServedModel _served;
    private readonly IDatasetProvider _events;
    private readonly RetrainingOptions _options;
    private readonly ILogger<ModelRetrainer> _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Creates the retrainer; the host does, from its services.</summary>
    public ModelRetrainer(ServedModel served, IDatasetProvider events, IOptions<RetrainingOptions> options, ILogger<ModelRetrainer> logger)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _served = served;
        _events = events;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// Retrains now: reads the events, trains, writes the model and, when it is the served file, loads it before
    /// returning. A call while another retrain runs waits for it, then retrains again (the events may have changed).
    /// </summary>
    /// <param name="cancellationToken">Stops the read or the training; the served model stays.</param>
    /// <returns>What happened; a failure is also logged, once.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<RetrainingResult> RetrainAsync(CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RetrainOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Interval is not TimeSpan interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RetrainAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task<RetrainingResult> RetrainOnceAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string target = _options.ModelPath ?? _served.ModelPath;
        InteractionDataset? dataset = null;
        try
        {
            dataset = await _events.LoadAsync(cancellationToken).ConfigureAwait(false);
            LogRead(_logger, _events.Name, dataset.Users.Count, dataset.Items.Count, dataset.Interactions.Count);

            // Training runs off the caller's thread: it takes seconds to minutes of CPU, and the caller may be a request.
            using (var model = await Task.Run(() => Train(dataset, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                await model.SaveAsync(target, cancellationToken).ConfigureAwait(false);
            }

            if (PathsEqual(target, _served.ModelPath) && !await _served.ReloadAsync(cancellationToken).ConfigureAwait(false))
            {
                // The served model logged why it refused the file; the old model serves.
                return Failed("the new model file was written but did not load (the served model logged why)");
            }

            LogRetrained(_logger, target, dataset.Interactions.Count, clock.Elapsed.TotalSeconds, _served.Generation);
            return new RetrainingResult(true, null, clock.Elapsed, dataset.Users.Count, dataset.Items.Count, dataset.Interactions.Count, _served.Generation);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, _events.Name, _served.Generation, error.Message);
            return Failed(error.Message);
        }

        RetrainingResult Failed(string reason) => new(
            false, reason, clock.Elapsed, dataset?.Users.Count ?? 0, dataset?.Items.Count ?? 0, dataset?.Interactions.Count ?? 0, _served.Generation);
    }

    /// <summary>
    /// A model of the served kind, trained or fitted on every event of <paramref name="dataset"/>. It runs inside the
    /// served model's lease, so a reload meanwhile cannot dispose the model the warm start copies from.
    /// </summary>
    private IRecommender Train(InteractionDataset dataset, CancellationToken cancellationToken)
    {
        var all = DatasetSplit.TrainOnly(dataset.Interactions);
        return _served.Use<IRecommender>(served => served switch
        {
            LightGcn lightGcn => LightGcn.Train(
                dataset, all, _options.LightGcn ?? WithoutCheckpoints(lightGcn.Options), warmStartFrom: _options.WarmStart ? lightGcn : null,
                cancellationToken: cancellationToken),
            SpectralFilter filter => SpectralFilter.Fit(dataset, all, filter.Options, cancellationToken: cancellationToken),
            _ => throw new NotSupportedException($"The served model is a {served.ModelKind}, which the retrainer does not know how to train."),
        });
    }

    private static LightGcnOptions WithoutCheckpoints(LightGcnOptions options)
    {
        // The served model's own options, as a retrain's: checkpoints of an earlier run are not resumed here.
        options.CheckpointDirectory = null;
        return options;
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <inheritdoc />
    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining on {Source}: {Users} users, {Items} items, {Interactions} interactions")]
    private static partial void LogRead(ILogger logger, string source, int users, int items, long interactions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrained on {Interactions} interactions in {Seconds:F1} s, wrote {Path}; serving model {Generation}")]
    private static partial void LogRetrained(ILogger logger, string path, long interactions, double seconds, int generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retraining from {Source} failed; model {Generation} keeps serving: {Reason}")]
    private static partial void LogFailed(ILogger logger, string source, int generation, string reason);
}
