using GraphRec.Core.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Bayesian personalised ranking with L2 regularisation of the batch's layer-0 embeddings, as in LightGCN:
/// <code>
///   L = mean_b softplus(ŷ_uj − ŷ_ui) + λ · ½ (‖e_u⁰‖² + ‖e_i⁰‖² + ‖e_j⁰‖²) / batch_size
/// </code>
/// where ŷ_ui = e_u · e_i on the final embeddings (softplus(x) = ln(1 + eˣ) = −ln σ(−x)).
/// </summary>
public sealed class BprLoss : ILoss
{
    /// <summary>Creates the loss with weight decay λ (default 1e-4, the paper's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public BprLoss(double weightDecay = 1e-4)
    {
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay λ must be a finite number, 0 or more (the paper's is 1e-4).");
        }
        WeightDecay = weightDecay;
    }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public Tensor Compute(Tensor embeddings, Tensor layer0)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(layer0);
        using var scope = NewDisposeScope();
        var (users, positives, negatives) = (embeddings[0], embeddings[1], embeddings[2]);
        var positive = (users * positives).sum(1);
        var negative = (users * negatives).sum(1);
        // softplus(ŷ_uj − ŷ_ui) as −ln σ(ŷ_ui − ŷ_uj): TorchSharp's softplus makes two scalars that nothing keeps alive (see KeptScalars).
        var ranking = nn.functional.logsigmoid(positive - negative).mean().neg();
        var squares = layer0[0].Squared().sum().Plus(layer0[1].Squared().sum()).Plus(layer0[2].Squared().sum());
        var l2 = squares.Times(0.5).DividedBy(users.shape[0]);
        return ranking.Plus(l2.Times(WeightDecay)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss of a batch and its gradient, outside autograd, for the CPU kernel's training step
    /// (<see cref="KernelTrainingStep"/>): <see cref="Compute"/> on rows laid out <c>[users; positives; negatives]</c>,
    /// each <c>[batch, dim]</c>, with x = ŷ_uj − ŷ_ui and s = σ(x) / batch:
    /// <code>
    ///   ∂L/∂e_u = s (e_j − e_i),   ∂L/∂e_i = −s e_u,   ∂L/∂e_j = s e_u,   ∂L/∂e⁰ = λ e⁰ / batch
    /// </code>
    /// A test checks it against autograd through <see cref="Compute"/>.
    /// </summary>
    internal double ComputeWithGradient(ReadOnlySpan<float> rows, ReadOnlySpan<float> rows0, int batch, int dim, Span<float> rowGradients, Span<float> layer0Gradients)
    {
        double ranking = 0;
        int positives = batch * dim, negatives = 2 * batch * dim;
        for (int t = 0; t < batch; t++)
        {
            var user = rows.Slice(t * dim, dim);
            var positive = rows.Slice(positives + (t * dim), dim);
            var negative = rows.Slice(negatives + (t * dim), dim);
            double x = (double)TensorPrimitives.Dot(user, negative) - TensorPrimitives.Dot(user, positive);
            ranking += x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));   // softplus, without overflow
            float share = (float)(1 / (1 + Math.Exp(-x)) / batch);
            TensorPrimitives.Subtract(negative, positive, rowGradients.Slice(t * dim, dim));
            TensorPrimitives.Multiply(rowGradients.Slice(t * dim, dim), share, rowGradients.Slice(t * dim, dim));
            TensorPrimitives.Multiply(user, -share, rowGradients.Slice(positives + (t * dim), dim));
            TensorPrimitives.Multiply(user, share, rowGradients.Slice(negatives + (t * dim), dim));
        }

        var layer0 = rows0[..(3 * batch * dim)];
        TensorPrimitives.Multiply(layer0, (float)(WeightDecay / batch), layer0Gradients[..layer0.Length]);
        return (ranking / batch) + (WeightDecay * 0.5 * TensorPrimitives.SumOfSquares(layer0) / batch);
    }
}
