using GraphRec.Data;

namespace GraphRec.Core;

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
/// <param name="seed">The seed of every epoch's random streams.</param>
/// <param name="maxDegreeOfParallelism">Threads drawing negatives; all processors when 0 or negative (the default).</param>
internal sealed class UniformNegativeSampler(int seed, int maxDegreeOfParallelism = 0) : ParallelSampler(seed, maxDegreeOfParallelism)
{
    // The user of each interaction and the interactions that can have a negative, kept for the training set last seen:
    // the same every epoch.
    private (Interactions Train, int[] UserOf, int[] Eligible)? _prepared;

    /// <inheritdoc />
    public override TripleSet Sample(Interactions train, int epoch, TripleSet? reuse)
    {
        ArgumentNullException.ThrowIfNull(train);
        var prepared = _prepared;
        if (prepared is not { } ready || !ReferenceEquals(ready.Train, train))
        {
            int[] users = train.ExpandUsers();
            prepared = _prepared = (train, users, [.. Enumerable.Range(0, train.Count).Where(p => train.CountOf(users[p]) < train.ItemCount)]);
        }

        var (_, userOf, eligible) = prepared.Value;

        // The epoch's order: the eligible interactions, shuffled. Kept in the reused set's positive array until the
        // draw overwrites it element by element (each triple reads its own position before writing it).
        var triples = Allocate(eligible.Length, reuse);
        int[] order = triples.Positives;
        eligible.CopyTo(order, 0);
        RandomStreams.Create(Seed, epoch).Shuffle(order);
        return Draw(triples, epoch, (random, t) =>
        {
            int user = userOf[order[t]];
            return (user, train.Items[order[t]], Negative(train, user, random));
        });
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
/// <param name="seed">The seed of every epoch's random streams.</param>
/// <param name="maxDegreeOfParallelism">Threads drawing triples; all processors when 0 or negative (the default).</param>
internal sealed class UserUniformSampler(int seed, int maxDegreeOfParallelism = 0) : ParallelSampler(seed, maxDegreeOfParallelism)
{
    // The users that can be drawn, kept for the training set last seen: the same every epoch.
    private (Interactions Train, int[] Candidates)? _prepared;

    /// <inheritdoc />
    public override TripleSet Sample(Interactions train, int epoch, TripleSet? reuse)
    {
        ArgumentNullException.ThrowIfNull(train);
        var prepared = _prepared;
        if (prepared is not { } ready || !ReferenceEquals(ready.Train, train))
        {
            prepared = _prepared = (train, [.. Enumerable.Range(0, train.UserCount).Where(u => train.CountOf(u) > 0 && train.CountOf(u) < train.ItemCount)]);
        }

        int[] candidates = prepared.Value.Candidates;
        return Draw(Allocate(candidates.Length == 0 ? 0 : train.Count, reuse), epoch, (random, t) =>
        {
            int user = candidates[random.Next(candidates.Length)];
            var row = train.ItemsOf(user);
            return (user, row[random.Next(row.Length)], Negative(train, user, random));
        });
    }
}

/// <summary>
/// A sampler that draws an epoch's triples in parallel over fixed chunks, each chunk from its own random stream derived
/// from the seed, the epoch and the chunk's index, so that the triples never depend on the thread count.
/// </summary>
/// <param name="seed">The seed of every epoch's random streams.</param>
/// <param name="maxDegreeOfParallelism">Threads drawing triples; all processors when 0 or negative (the default).</param>
internal abstract class ParallelSampler(int seed, int maxDegreeOfParallelism = 0) : ISampler
{
    private const int ChunkSize = 1 << 15;

    /// <summary>The seed.</summary>
    public int Seed { get; } = seed;

    /// <summary>The number of threads drawing triples.</summary>
    public int MaxDegreeOfParallelism { get; } = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;

    /// <inheritdoc />
    public (int[] Users, int[] Positives, int[] Negatives) Sample(Interactions train, int epoch)
    {
        var triples = Sample(train, epoch, reuse: null);
        return (triples.Users, triples.Positives, triples.Negatives);
    }

    /// <summary>
    /// The triples of epoch <paramref name="epoch"/> written into <paramref name="reuse"/> when it has the epoch's size
    /// (the previous epoch's set, which training no longer needs), else into new arrays: an epoch's arrays are large,
    /// and collecting them is what made the working set creep up between full garbage collections. The result does
    /// not depend on <paramref name="reuse"/>'s contents.
    /// </summary>
    public abstract TripleSet Sample(Interactions train, int epoch, TripleSet? reuse);

    /// <summary><paramref name="reuse"/> when it holds exactly <paramref name="count"/> triples, else a new set.</summary>
    protected static TripleSet Allocate(int count, TripleSet? reuse) =>
        reuse is not null && reuse.Count == count && reuse.Positives.Length == count && reuse.Negatives.Length == count
            ? reuse
            : new TripleSet(new int[count], new int[count], new int[count]);

    /// <summary>An item drawn uniformly among those not in the user's (sorted) training row, by rejection.</summary>
    protected static int Negative(Interactions train, int user, Random random)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(random);
        var row = train.ItemsOf(user);
        int negative;
        do
        {
            negative = random.Next(train.ItemCount);
        }
        while (row.BinarySearch(negative) >= 0);
        return negative;
    }

    /// <summary>Fills triple t = 0 .. Count-1 of <paramref name="triples"/> from <paramref name="draw"/>, chunk by chunk, each chunk with the stream (seed, epoch, chunk).</summary>
    protected TripleSet Draw(TripleSet triples, int epoch, Func<Random, int, (int User, int Positive, int Negative)> draw)
    {
        ArgumentNullException.ThrowIfNull(triples);
        ArgumentNullException.ThrowIfNull(draw);
        int count = triples.Count;
        int chunks = (count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, chunk =>
        {
            var random = RandomStreams.Create(Seed, epoch, chunk + 1);
            int end = Math.Min(count, (chunk + 1) * ChunkSize);
            for (int t = chunk * ChunkSize; t < end; t++)
            {
                (triples.Users[t], triples.Positives[t], triples.Negatives[t]) = draw(random, t);
            }
        });
        return triples;
    }
}
