using CsCheck;

namespace GraphRec.Tests.Fuzzing;

/// <summary>
/// Runs a property on cases drawn from a CsCheck generator: on the same seeds in every run by default, so that a test
/// run (CI's, the README's test command) is reproducible and cannot fail by the luck of a draw; on fresh seeds when
/// <c>GRAPHREC_FUZZ_SEEDS=fresh</c>, to look for new failures.
/// </summary>
/// <remarks>
/// Either way a failure names its seed as <c>CsCheck_Seed=…</c>; with that variable set, the seed's case runs first,
/// before the fixed or fresh ones, so the failure replays as it was found.
/// </remarks>
public static class Properties
{
    /// <summary>The variable that switches from the fixed seeds to fresh ones.</summary>
    public const string SeedsVariable = "GRAPHREC_FUZZ_SEEDS";

    /// <summary>Whether this run draws fresh seeds (<c>GRAPHREC_FUZZ_SEEDS=fresh</c>) rather than the fixed ones.</summary>
    public static bool FreshSeeds { get; } =
        string.Equals(Environment.GetEnvironmentVariable(SeedsVariable), "fresh", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks <paramref name="assert"/> on <paramref name="cases"/> cases of <paramref name="gen"/>, one thread: first
    /// each of <paramref name="regressions"/> (seeds of failures found before, kept so they stay fixed) and any
    /// <c>CsCheck_Seed</c>, then the fixed seeds 0 to <paramref name="cases"/> − 1 or, with fresh seeds, CsCheck's own
    /// random sample, which shrinks a failure and names its seed.
    /// </summary>
    /// <returns>How many cases ran.</returns>
    /// <exception cref="PropertyFailedException">A case failed; the message names its seed and its case.</exception>
    public static long Check<T>(Gen<T> gen, Action<T> assert, Func<T, string> print, long cases, params string[] regressions)
    {
        string? given = Environment.GetEnvironmentVariable("CsCheck_Seed");
        string[] replayed = string.IsNullOrWhiteSpace(given) ? regressions : [given, .. regressions];
        foreach (string seed in replayed)
        {
            Run(gen, PCG.Parse(seed), assert, print);
        }

        if (FreshSeeds)
        {
            // CsCheck replays CsCheck_Seed itself first; it already ran above, so it is not passed again.
            gen.Sample(assert, seed: null, iter: cases, threads: 1, print: print);
            return replayed.Length + cases;
        }

        for (long i = 0; i < cases; i++)
        {
            // Spread the seeds over the state space, so that neighbouring cases start far apart.
            Run(gen, new PCG(stream: 1, seed: unchecked((ulong)i * 0x9E3779B97F4A7C15UL)), assert, print);
        }

        return replayed.Length + cases;
    }

    private static void Run<T>(Gen<T> gen, PCG random, Action<T> assert, Func<T, string> print)
    {
        string seed = random.ToString();
        T value = gen.Generate(random, null, out _);
        try
        {
            assert(value);
        }
        catch (Exception error)
        {
            throw new PropertyFailedException($"the property failed for CsCheck_Seed={seed} (set it to replay this case first): {print(value)}", error);
        }
    }
}
