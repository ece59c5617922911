using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Produces the (user, positive, negative) triples of an epoch. Must be reproducible for a seed and epoch.</summary>
public interface ISampler
{
    /// <summary>Samples the triples of epoch <paramref name="epoch"/> (1-based) from the training interactions, in training order.</summary>
    /// <param name="train">The training interactions.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="reuse">
    /// A set the caller no longer needs (the previous epoch's), which the sampler may overwrite and return instead of
    /// allocating: an epoch's arrays are large, and collecting them is what made the working set creep up between full
    /// garbage collections. The result must not depend on its contents.
    /// </param>
    TripleSet Sample(Interactions train, int epoch, TripleSet? reuse = null);
}
