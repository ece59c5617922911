using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Produces the (user, positive, negative) triples of an epoch. Must be reproducible for a seed and epoch.</summary>
public interface ISampler
{
    /// <summary>Samples the triples of epoch <paramref name="epoch"/> (1-based) from the training interactions, in training order.</summary>
    /// <param name="train">The training interactions.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <returns>
    /// Three arrays of the same length, entry t for triple t: the user u, an item i it interacted with (the positive),
    /// an item j it did not (the negative), as indices of <paramref name="train"/>. Training reads them during the
    /// epoch only.
    /// </returns>
    (int[] Users, int[] Positives, int[] Negatives) Sample(Interactions train, int epoch);
}
