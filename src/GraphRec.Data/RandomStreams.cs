namespace GraphRec.Data;

/// <summary>
/// Independent, reproducible random streams derived from one seed, for work split by user, epoch or chunk.
/// </summary>
/// <remarks>
/// Not <see cref="HashCode"/>: its values are randomised per process, so seeds made with it give different results in
/// every run. The mixing here is SplitMix64's finalizer, fixed forever, so a seed means the same streams on every
/// machine, process and thread count.
/// </remarks>
internal static class RandomStreams
{
    /// <summary>A generator for the stream identified by <paramref name="first"/> and <paramref name="second"/> under <paramref name="seed"/>.</summary>
    public static Random Create(int seed, int first, int second = 0) => new(DeriveSeed(seed, first, second));

    /// <summary>The seed of the stream identified by <paramref name="first"/> and <paramref name="second"/> under <paramref name="seed"/>.</summary>
    public static int DeriveSeed(int seed, int first, int second = 0)
    {
        ulong z = Mix((uint)seed);
        z = Mix(z ^ unchecked((ulong)(uint)first * 0x9E3779B97F4A7C15UL));
        z = Mix(z ^ unchecked((ulong)(uint)second * 0xC2B2AE3D27D4EB4FUL));
        return unchecked((int)z);
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
