using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Lets concurrent calls share an object that owns native memory while a dispose may come at any time: each call
/// enters before it touches that memory and leaves after; once disposing has begun, entering throws
/// <see cref="ObjectDisposedException"/>, and the dispose frees nothing until the calls in flight have left. A count
/// under a lock rather than a <see cref="ReaderWriterLockSlim"/>, whose locks belong to a thread: a save holds its
/// entry across awaits. A dispose from inside a call on the same object would wait for itself: the objects guarded
/// call no user code while inside.
/// </summary>
internal sealed class DisposalGuard(Type owner)
{
    private readonly object _gate = new();
    private int _calls;
    private bool _disposing;

    /// <summary>Enters a call; dispose the result to leave.</summary>
    /// <exception cref="ObjectDisposedException">Disposing has begun.</exception>
    public Entry Enter()
    {
        lock (_gate)
        {
            ThrowIfDisposing();
            _calls++;
        }

        return new Entry(this);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when disposing has begun: for members that touch no native memory.</summary>
    public void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ThrowIfDisposing();
        }
    }

    /// <summary>Runs <paramref name="call"/> entered.</summary>
    public T Run<T>(Func<T> call)
    {
        using var entry = Enter();
        return call();
    }

    /// <summary>Runs <paramref name="call"/> entered until its task completes.</summary>
    public async Task RunAsync(Func<Task> call)
    {
        using var entry = Enter();
        await call().ConfigureAwait(false);
    }

    /// <summary>
    /// Begins disposing: refuses new calls, waits for those in flight to leave, and returns true; false when disposing
    /// had already begun (the first dispose frees, any other returns at once).
    /// </summary>
    public bool BeginDispose()
    {
        lock (_gate)
        {
            if (_disposing)
            {
                return false;
            }

            _disposing = true;
            while (_calls > 0)
            {
                Monitor.Wait(_gate);
            }

            return true;
        }
    }

    private void ThrowIfDisposing()
    {
        ObjectDisposedException.ThrowIf(_disposing, owner);
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_calls == 0 && _disposing)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>A call in flight: leaves when disposed.</summary>
    public readonly struct Entry(DisposalGuard guard) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => guard.Leave();
    }

    /// <summary>A scorer handed out by a guarded object: each call enters the owner's guard.</summary>
    public sealed class GuardedScorer(IScorer inner, DisposalGuard guard) : IScorer
    {
        /// <inheritdoc />
        public int ItemCount => inner.ItemCount;

        /// <inheritdoc />
        public int UsersPerBatch => inner.UsersPerBatch;

        /// <inheritdoc />
        public Tensor Score(ReadOnlySpan<int> users)
        {
            using var entry = guard.Enter();
            return inner.Score(users);
        }

        /// <inheritdoc />
        public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount)
        {
            using var entry = guard.Enter();
            return inner.Score(users, firstItem, itemCount);
        }

        /// <inheritdoc />
        public int ItemsPerCall(int users) => inner.ItemsPerCall(users);
    }
}
