namespace GraphRec.Core;

/// <summary>
/// The samplers GraphRec provides. Both draw negatives uniformly among the items the user has not interacted with in
/// training (a training positive is never a negative), in parallel over fixed chunks of the epoch, each chunk from its
/// own stream derived from the seed, the epoch and the chunk's index: an epoch's triples depend on the seed and the
/// epoch only, never on the number of threads.
/// </summary>
public static class Samplers
{
    /// <summary>
    /// The LightGCN paper's protocol: every training interaction once per epoch as the positive, in a shuffled order.
    /// Users who interacted with every item cannot have a negative and are skipped.
    /// </summary>
    /// <param name="seed">The seed of every epoch's random streams.</param>
    /// <param name="maxDegreeOfParallelism">Threads drawing triples; all processors when 0 or negative (the default).</param>
    public static ISampler EveryInteraction(int seed, int maxDegreeOfParallelism = 0) => new UniformNegativeSampler(seed, maxDegreeOfParallelism);

    /// <summary>
    /// The sampling of the paper's reference code (LightGCN-PyTorch's <c>UniformSample_original</c>): each triple draws a
    /// user uniformly, then one of the user's training items as the positive. An epoch has as many triples as there are
    /// training interactions, so users, not interactions, weigh equally; the reference's published per-epoch figures
    /// were measured with it. The default of training: measured on MovieLens 100K it ranks better than
    /// <see cref="EveryInteraction"/> by every per-user metric (the sample app's defaults, and the parity benchmark's
    /// 75/25 runs in docs/benchmarks.md), since the metrics average over users, whom it weighs equally.
    /// </summary>
    /// <param name="seed">The seed of every epoch's random streams.</param>
    /// <param name="maxDegreeOfParallelism">Threads drawing triples; all processors when 0 or negative (the default).</param>
    public static ISampler UniformUsers(int seed, int maxDegreeOfParallelism = 0) => new UserUniformSampler(seed, maxDegreeOfParallelism);
}
