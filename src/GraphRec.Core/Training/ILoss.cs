using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>A training loss over a batch of triples. Returns a scalar tensor to minimise.</summary>
public interface ILoss
{
    /// <summary>Computes the loss of a batch.</summary>
    Tensor Compute(TripleEmbeddings batch);
}
