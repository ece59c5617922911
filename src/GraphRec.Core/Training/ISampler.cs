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
    private const int ChunkSize = 1 << 15;

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

        var users = new int[order.Length];
        var positives = new int[order.Length];
        var negatives = new int[order.Length];
        int chunks = (order.Length + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, chunk =>
        {
            var random = RandomStreams.Create(Seed, epoch, chunk + 1);
            int end = Math.Min(order.Length, (chunk + 1) * ChunkSize);
            for (int t = chunk * ChunkSize; t < end; t++)
            {
                int position = order[t];
                int user = userOf[position];
                var row = train.ItemsOf(user);
                int negative;
                do
                {
                    negative = random.Next(train.ItemCount);
                }
                while (row.BinarySearch(negative) >= 0);
                users[t] = user;
                positives[t] = train.Items[position];
                negatives[t] = negative;
            }
        });

        return new TripleSet(users, positives, negatives);
    }
}
