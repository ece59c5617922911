using GraphRec.Data;

namespace GraphRec.Core.Training;

/// <summary>One epoch of training triples: user u, an item i the user interacted with, an item j it did not.</summary>
/// <param name="Users">u per triple.</param>
/// <param name="Positives">i per triple.</param>
/// <param name="Negatives">j per triple.</param>
public sealed record TripleSet(int[] Users, int[] Positives, int[] Negatives)
{
    /// <summary>The number of triples.</summary>
    public int Count => Users.Length;
}

/// <summary>Produces the (user, positive, negative) triples of an epoch. Must be reproducible for a seed and epoch.</summary>
public interface ISampler
{
    /// <summary>Samples the triples of epoch <paramref name="epoch"/> (1-based) from the training interactions, in training order.</summary>
    TripleSet Sample(Interactions train, int epoch);
}

/// <summary>
/// The LightGCN paper's sampler: every training interaction once per epoch as the positive, in a shuffled order,
/// each with a negative drawn uniformly from the items the user has not interacted with in training (rejection
/// sampling against the user's sorted row, so a training positive is never a negative). Users who interacted with
/// every item cannot have a negative and are skipped.
/// </summary>
/// <remarks>
/// Negatives are drawn in parallel over fixed chunks of the shuffled epoch, each chunk with its own random stream
/// derived from the seed, the epoch and the chunk's index. The triples therefore depend only on the seed and the epoch,
/// never on the number of threads or their scheduling.
/// </remarks>
public sealed class UniformNegativeSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="seed">The seed of every epoch's random streams.</param>
    /// <param name="maxDegreeOfParallelism">Threads drawing negatives; all processors when 0 or negative (the default).</param>
    public UniformNegativeSampler(int seed, int maxDegreeOfParallelism = 0)
    {
        Seed = seed;
        MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The number of threads drawing negatives.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    public TripleSet Sample(Interactions train, int epoch)
    {
        ArgumentNullException.ThrowIfNull(train);
        int[] userOf = train.ExpandUsers();
        int[] order = Enumerable.Range(0, train.Count).Where(p => train.CountOf(userOf[p]) < train.ItemCount).ToArray();
        RandomStreams.Create(Seed, epoch).Shuffle(order);
        var triples = new TripleSet(new int[order.Length], new int[order.Length], new int[order.Length]);
        ParallelDraw.Run(order.Length, Seed, epoch, MaxDegreeOfParallelism, (random, t) =>
        {
            int user = userOf[order[t]];
            triples.Users[t] = user;
            triples.Positives[t] = train.Items[order[t]];
            triples.Negatives[t] = ParallelDraw.Negative(train, user, random);
        });
        return triples;
    }
}

/// <summary>
/// The sampler of the LightGCN paper's reference code (LightGCN-PyTorch, <c>UniformSample_original</c>): each of the
/// epoch's triples draws a user uniformly, then one of the user's training items uniformly as the positive, then a
/// negative uniformly from the items the user has not interacted with. An epoch has as many triples as there are
/// training interactions, so users, not interactions, are equally weighted; that is what its published per-epoch
/// numbers were measured with. Users without interactions, or with every item, are never drawn.
/// </summary>
/// <remarks>Reproducible in the same way as <see cref="UniformNegativeSampler"/>: the triples depend on the seed and the epoch only.</remarks>
public sealed class UserUniformSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="seed">The seed of every epoch's random streams.</param>
    /// <param name="maxDegreeOfParallelism">Threads drawing triples; all processors when 0 or negative (the default).</param>
    public UserUniformSampler(int seed, int maxDegreeOfParallelism = 0)
    {
        Seed = seed;
        MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The number of threads drawing triples.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    public TripleSet Sample(Interactions train, int epoch)
    {
        ArgumentNullException.ThrowIfNull(train);
        int[] candidates = Enumerable.Range(0, train.UserCount).Where(u => train.CountOf(u) > 0 && train.CountOf(u) < train.ItemCount).ToArray();
        int count = candidates.Length == 0 ? 0 : train.Count;
        var triples = new TripleSet(new int[count], new int[count], new int[count]);
        ParallelDraw.Run(count, Seed, epoch, MaxDegreeOfParallelism, (random, t) =>
        {
            int user = candidates[random.Next(candidates.Length)];
            var row = train.ItemsOf(user);
            triples.Users[t] = user;
            triples.Positives[t] = row[random.Next(row.Length)];
            triples.Negatives[t] = ParallelDraw.Negative(train, user, random);
        });
        return triples;
    }
}

/// <summary>Shared by the samplers: fixed chunks of an epoch drawn in parallel, each from its own derived stream.</summary>
internal static class ParallelDraw
{
    private const int ChunkSize = 1 << 15;

    /// <summary>Calls <paramref name="draw"/> for t = 0 .. count-1, chunk by chunk, each chunk with the random stream (seed, epoch, chunk).</summary>
    public static void Run(int count, int seed, int epoch, int threads, Action<Random, int> draw)
    {
        int chunks = (count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
        {
            var random = RandomStreams.Create(seed, epoch, chunk + 1);
            int end = Math.Min(count, (chunk + 1) * ChunkSize);
            for (int t = chunk * ChunkSize; t < end; t++)
            {
                draw(random, t);
            }
        });
    }

    /// <summary>An item drawn uniformly among those not in the user's (sorted) training row, by rejection.</summary>
    public static int Negative(Interactions train, int user, Random random)
    {
        var row = train.ItemsOf(user);
        int negative;
        do
        {
            negative = random.Next(train.ItemCount);
        }
        while (row.BinarySearch(negative) >= 0);
        return negative;
    }
}
