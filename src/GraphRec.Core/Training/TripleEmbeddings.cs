using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>The embeddings of a batch of triples: final (propagated) and layer-0, for users, positives and negatives, each [batch, dim].</summary>
public sealed record TripleEmbeddings(Tensor Users, Tensor Positives, Tensor Negatives, Tensor Users0, Tensor Positives0, Tensor Negatives0);
