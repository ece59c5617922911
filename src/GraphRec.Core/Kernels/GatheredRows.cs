namespace GraphRec.Core.Kernels;

/// <summary>
/// A CPU training step's batch rows and their loss gradients (<see cref="RowLoss"/>), in buffers reused from batch to
/// batch: each row of the batch gathered from its distinct node's final row and from E(0).
/// </summary>
internal sealed class GatheredRows
{
    private float[] _rows = [];
    private float[] _rows0 = [];
    private float[] _rowGradients = [];
    private float[] _layer0Gradients = [];
    private int _size;

    /// <summary>∂L/∂R of the last batch, row i of the batch at <c>[i · dim, (i + 1) · dim)</c>.</summary>
    public ReadOnlySpan<float> RowGradients => _rowGradients.AsSpan(0, _size);

    /// <summary>∂L/∂R₀ of the last batch, laid out as <see cref="RowGradients"/>.</summary>
    public ReadOnlySpan<float> Layer0Gradients => _layer0Gradients.AsSpan(0, _size);

    /// <summary>
    /// Gathers row i of the batch from <paramref name="distinctRows"/> at <c>positions[i]</c> and from E(0) at
    /// <c>nodes[i]</c>, and returns the batch's loss, its gradients in <see cref="RowGradients"/> and <see cref="Layer0Gradients"/>.
    /// </summary>
    public double Loss(ILoss loss, ReadOnlySpan<float> distinctRows, ReadOnlySpan<int> positions, ReadOnlySpan<float> embedding, int[] nodes, int length, int dim)
    {
        _size = nodes.Length * dim;
        ScratchBuffers.Reserve(ref _rows, _size);
        ScratchBuffers.Reserve(ref _rows0, _size);
        ScratchBuffers.Reserve(ref _rowGradients, _size);
        ScratchBuffers.Reserve(ref _layer0Gradients, _size);
        for (int i = 0; i < nodes.Length; i++)
        {
            CsrKernel.PrefetchAhead(embedding, nodes, i, dim);
            distinctRows.Slice(positions[i] * dim, dim).CopyTo(_rows.AsSpan(i * dim, dim));
            embedding.Slice(nodes[i] * dim, dim).CopyTo(_rows0.AsSpan(i * dim, dim));
        }

        return RowLoss.ComputeWithGradient(loss, _rows.AsSpan(0, _size), _rows0.AsSpan(0, _size), length, dim, _rowGradients, _layer0Gradients);
    }
}
