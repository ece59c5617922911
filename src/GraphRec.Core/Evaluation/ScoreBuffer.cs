using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// One float32 CPU buffer of scores that a ranking reuses for every block of items and every batch of users
/// (<see cref="IScorer.ScoreInto"/>), grown when a call needs more.
/// </summary>
/// <remarks>
/// Owned because measured: a fresh tensor per block of scores took fresh pages per block, which on transparent huge
/// pages was about a third of LightGCN's sampled evaluation at 20 M interactions (scale benchmark) and, with GF-CF's
/// copies of its scores, half of GF-CF's evaluation on Gowalla (gowalla benchmark).
/// </remarks>
internal sealed class ScoreBuffer : IDisposable
{
    private Tensor? _values;

    /// <summary>
    /// A contiguous <c>[users, items]</c> view of the buffer's first <c>users · items</c> floats, in the caller's dispose
    /// scope (the buffer itself is not); what it held before is left in it.
    /// </summary>
    public Tensor Scores(int users, int items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        long size = (long)users * items;
        if (_values is null || _values.shape[0] < size)
        {
            _values?.Dispose();
            _values = empty([Math.Max(size, 1)], ScalarType.Float32).DetachFromDisposeScope();
        }

        return _values.narrow(0, 0, size).view(users, items);
    }

    public void Dispose()
    {
        _values?.Dispose();
        _values = null;
    }
}
