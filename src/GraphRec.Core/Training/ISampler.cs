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
/// every item cannot have a negative and are skipped. Reproducible: the epoch's random stream depends only on the seed and the epoch.
/// </summary>
public sealed class UniformNegativeSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public UniformNegativeSampler(int seed) => Seed = seed;

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    public TripleSet Sample(Interactions train, int epoch)
    {
        ArgumentNullException.ThrowIfNull(train);
        var random = new Random(HashCode.Combine(Seed, epoch));
        int[] order = Enumerable.Range(0, train.Count).ToArray();
        random.Shuffle(order);
        int[] userOf = train.ExpandUsers();
        var items = train.Items;
        var users = new List<int>(train.Count);
        var positives = new List<int>(train.Count);
        var negatives = new List<int>(train.Count);
        foreach (int p in order)
        {
            int user = userOf[p];
            var row = train.ItemsOf(user);
            if (row.Length >= train.ItemCount)
            {
                continue;
            }

            int negative;
            do
            {
                negative = random.Next(train.ItemCount);
            }
            while (row.BinarySearch(negative) >= 0);
            users.Add(user);
            positives.Add(items[p]);
            negatives.Add(negative);
        }

        return new TripleSet([.. users], [.. positives], [.. negatives]);
    }
}
