using System.Globalization;

namespace GraphRec.Core;

/// <summary>
/// Everything that shapes a graph filter (<see cref="GraphFilter"/>). Settable, so that
/// <c>IOptions&lt;GraphFilterOptions&gt;</c> can bind it from configuration; <see cref="Validate"/> checks it, and every
/// GraphRec type that takes it calls that before any work.
/// </summary>
/// <remarks>
/// The defaults are GF-CF's (Shen et al., CIKM 2021): 256 singular vectors and α = 0.3, which give the paper's figures
/// on Gowalla; with the randomized SVD's oversampling and power iterations below GraphRec reaches the paper's accuracy
/// on its Gowalla split (the gowalla benchmark with <c>--model gf-cf</c>, docs/benchmarks.md).
/// </remarks>
public sealed class GraphFilterOptions
{
    /// <summary>The largest <see cref="Alpha"/> in size.</summary>
    public const double MaxAlpha = 1000;

    /// <summary>k, how many right singular vectors of R̃ form the ideal low-pass filter, positive (capped at the smaller side of R). Default 256.</summary>
    public int Rank { get; set; } = 256;

    /// <summary>
    /// α, the weight of the ideal low-pass filter next to the linear one, from -1,000 to 1,000 (beyond, the linear part
    /// no longer changes a ranking, and a forged model file could make scores overflow). Default 0.3.
    /// </summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>Extra columns of the randomized SVD's test matrix, 0 or more (k + oversampling capped, like k, at the smaller side of R: the exact SVD). Default 20.</summary>
    public int Oversampling { get; set; } = 20;

    /// <summary>Power iterations of the randomized SVD, 0 or more; each costs two sparse products of the width k + oversampling. Default 4.</summary>
    public int PowerIterations { get; set; } = 4;

    /// <summary>Seed of the randomized SVD's test matrix. Default 2020.</summary>
    public int Seed { get; set; } = 2020;

    /// <summary>The cut-offs K that <see cref="GraphFilter.Evaluate"/> reports, all positive. Default 10 and 20.</summary>
    public IList<int> Cutoffs { get; set; } = [10, 20];

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, its value and what it must be.</exception>
    public void Validate()
    {
        Require(Rank > 0, nameof(Rank), "positive (the paper's is 256)", Rank);
        Require(Math.Abs(Alpha) <= MaxAlpha, nameof(Alpha), $"a number from -{MaxAlpha:N0} to {MaxAlpha:N0} (the paper's is 0.3)", Alpha);
        Require(Oversampling >= 0, nameof(Oversampling), "0 or more", Oversampling);
        Require(PowerIterations >= 0, nameof(PowerIterations), "0 or more", PowerIterations);
        Require(Cutoffs is not null && Cutoffs.Count > 0 && Cutoffs.All(k => k > 0), nameof(Cutoffs), "at least one cut-off, all positive",
            Cutoffs is null ? null : $"[{string.Join(", ", Cutoffs)}]");
    }

    /// <summary>
    /// Refuses a <see cref="Rank"/> whose randomized SVD of a <paramref name="users"/> x <paramref name="items"/> matrix
    /// does not fit in memory: it holds dense float64 blocks of its width (k + oversampling, capped at the smaller
    /// side) by the users and by the items at once.
    /// </summary>
    internal void RequireMemoryFor(int users, int items) =>
        OptionChecks.RequireSvdMemory(nameof(GraphFilterOptions), Rank, Oversampling, users, items);

    /// <summary>The cut-offs, distinct and ascending.</summary>
    internal int[] ResolveCutoffs() => [.. Cutoffs.Distinct().Order()];

    /// <summary>A copy, so that a caller changing these options later does not change a filter built from them.</summary>
    internal GraphFilterOptions Clone()
    {
        var copy = (GraphFilterOptions)MemberwiseClone();
        copy.Cutoffs = Cutoffs is null ? null! : [.. Cutoffs]; // null stays null, for Validate to name it
        return copy;
    }

    private static void Require(bool valid, string name, string what, object? value) =>
        OptionChecks.Require(valid, nameof(GraphFilterOptions), name, what, value);
}
