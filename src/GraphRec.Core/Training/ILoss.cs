using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>A training loss over a batch of triples. Returns a scalar tensor to minimise.</summary>
/// <remarks>
/// Training calls it once a batch, hundreds of thousands of times in a long run. TorchSharp 0.107 turns a number in
/// tensor arithmetic into a native scalar that the garbage collector may free while libtorch reads it, failing at random,
/// and some of its methods make such scalars of their own: <c>a + b</c> and <c>a.add(b)</c> add
/// with an alpha of 1 made that way. Make each scalar in a <c>using</c> and call the overload that takes every scalar:
/// with <c>using var one = 1.ToScalar();</c>, <c>a.add(b, one)</c> for <c>a + b</c> and <c>x.add(one, one)</c> for
/// <c>x + 1</c>. <see cref="BprLoss"/> does so.
/// </remarks>
public interface ILoss
{
    /// <summary>Computes the loss of a batch of (user u, positive i, negative j) triples.</summary>
    /// <param name="embeddings">
    /// The final (propagated) embeddings, <c>[3, batch, dim]</c>: <c>embeddings[0]</c> the users', <c>[1]</c> the
    /// positives', <c>[2]</c> the negatives', row t of each for triple t.
    /// </param>
    /// <param name="layer0">The layer-0 embeddings of the same nodes, laid out the same way (what L2 regularisation usually weighs).</param>
    /// <returns>A scalar tensor computed from the embeddings, to minimise.</returns>
    Tensor Compute(Tensor embeddings, Tensor layer0);
}
