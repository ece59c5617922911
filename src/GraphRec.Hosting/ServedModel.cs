using GraphRec.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>
/// The model a service recommends from: an <see cref="IRecommender"/> (LightGCN or GF-CF, as the file holds) loaded from <see cref="ServedModelOptions.ModelPath"/>,
/// replaced by <see cref="ReloadAsync"/> (and, with <see cref="ServedModelOptions.ReloadOnChange"/>, whenever a new file
/// is written over it) without failing a request: each call of <see cref="Use{T}"/> runs on the model that was current
/// when it started, and a replaced model is disposed once the last such call is done. Thread-safe.
/// </summary>
public sealed partial class ServedModel : IDisposable
{
    private readonly ILogger<ServedModel> _logger;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly string _modelPath;
    private LoadedModel _current;
    private volatile bool _disposed;

    /// <summary>Loads the model file named by the options.</summary>
    /// <exception cref="FileNotFoundException">There is no model file there.</exception>
    /// <exception cref="InvalidDataException">The file is not a model GraphRec can read.</exception>
    public ServedModel(IOptions<ServedModelOptions> options, ILogger<ServedModel> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _modelPath = Path.GetFullPath(options.Value.ModelPath);
        _logger = logger;

        // A container builds singletons synchronously; the host resolves this one while it starts, before any request.
        _current = new LoadedModel(Recommenders.LoadAsync(_modelPath).GetAwaiter().GetResult(), 1);
        LogLoaded(_logger, _modelPath, 1, _current.Model.ModelKind, _current.Model.Users.Count, _current.Model.Items.Count);
    }

    /// <summary>The model file, as a full path.</summary>
    /// <exception cref="ObjectDisposedException">The served model was disposed.</exception>
    public string ModelPath
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _modelPath;
        }
    }

    /// <summary>How many models have been loaded: 1 at start, one more for every successful reload.</summary>
    /// <exception cref="ObjectDisposedException">The served model was disposed.</exception>
    public int Generation => Current.Number;

    /// <summary>When the model now served was loaded.</summary>
    /// <exception cref="ObjectDisposedException">The served model was disposed.</exception>
    public DateTimeOffset LoadedAt => Current.LoadedAt;

    /// <summary>The model now served, or <see cref="ObjectDisposedException"/> once this is disposed.</summary>
    private LoadedModel Current
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Runs <paramref name="read"/> on the current model, which stays alive until it returns even if a reload replaces it meanwhile.</summary>
    /// <exception cref="ObjectDisposedException">The served model was disposed.</exception>
    public T Use<T>(Func<IRecommender, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return UseWithGeneration((model, _) => read(model));
    }

    /// <summary>
    /// As <see cref="Use{T}(Func{IRecommender, T})"/>, with the generation of the model <paramref name="read"/> runs on:
    /// <see cref="Generation"/> read beside it could already name a newer model.
    /// </summary>
    internal T UseWithGeneration<T>(Func<IRecommender, int, T> read)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var generation = Volatile.Read(ref _current);
            if (generation.TryAcquire())
            {
                try
                {
                    return read(generation.Model, generation.Number);
                }
                finally
                {
                    generation.Release();
                }
            }
        }
    }

    /// <summary>
    /// Loads the model file again and serves it from now on; when it does not load (damaged, half-written, another
    /// kind of file), logs why and keeps serving the current model.
    /// </summary>
    /// <returns>Whether the new file is now served.</returns>
    /// <exception cref="ObjectDisposedException">The served model was disposed.</exception>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            IRecommender model;
            try
            {
                model = await Recommenders.LoadAsync(_modelPath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Whatever the new file does to the loader, the model now served stays, and the refusal is logged: a
                // reload runs on a timer, where an exception would go unseen.
                LogReloadRefused(_logger, _modelPath, _current.Number, error.Message);
                return false;
            }

            var old = Interlocked.Exchange(ref _current, new LoadedModel(model, _current.Number + 1));
            old.Release();

            // Loading leaves the file's bytes and the rebuilt graph's scratch arrays on the large object heap, where,
            // with requests allocating only small objects, no collection would reach them for a long time: the
            // working set stepped up by about a model's size at every reload. One background collection returns it.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);
            LogLoaded(_logger, _modelPath, old.Number + 1, model.ModelKind, model.Users.Count, model.Items.Count);
            return true;
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _current.Release();
        _reloading.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Path} (model {Generation}, {Kind}: {Users} users, {Items} items)")]
    private static partial void LogLoaded(ILogger logger, string path, int generation, string kind, int users, int items);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused the new {Path}; model {Generation} keeps serving: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string path, int generation, string reason);

    /// <summary>A loaded model and the calls using it; the host's own hold is the first, so it lives until replaced.</summary>
    private sealed class LoadedModel(IRecommender model, int number)
    {
        private int _holds = 1;

        public IRecommender Model { get; } = model;

        public int Number { get; } = number;

        public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;

        /// <summary>A hold on the model, unless its last hold is already gone (it was replaced and is being disposed).</summary>
        public bool TryAcquire()
        {
            int holds = Volatile.Read(ref _holds);
            while (holds > 0)
            {
                int seen = Interlocked.CompareExchange(ref _holds, holds + 1, holds);
                if (seen == holds)
                {
                    return true;
                }

                holds = seen;
            }

            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _holds) == 0)
            {
                Model.Dispose();
            }
        }
    }
}
