namespace GraphRec.Core.Kernels;

/// <summary>The training steps' scratch arrays, reused from batch to batch and grown only when a batch needs more.</summary>
internal static class ScratchBuffers
{
    /// <summary>Makes <paramref name="buffer"/> at least <paramref name="length"/> long, discarding what it held (the caller overwrites it).</summary>
    public static void Reserve<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }

    /// <summary>Grows <paramref name="buffer"/> to at least <paramref name="length"/>, keeping what it holds (doubling, so that growing row by row stays linear).</summary>
    public static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            Array.Resize(ref buffer, Math.Max(length, 2 * buffer.Length));
        }
    }
}
