using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace GraphRec.Core.Kernels;

/// <summary>
/// Where a propagation keeps its powers <c>Â^k X</c> and how the kernel reads and writes them: buffer 0 is X itself
/// (only read), 1 and 2 are two buffers used in turn. <see cref="DensePowers{T}"/> stores them as X is stored;
/// <see cref="BFloat16Powers"/> rounds them to bfloat16, so that the products fetch half the bytes per neighbour row.
/// </summary>
internal interface IPowerBuffers<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Buffer <paramref name="to"/> = Â · buffer <paramref name="from"/>, reading only marked rows when given.</summary>
    void Multiply(CsrPartition partition, int from, int to, ReadOnlySpan<bool> nonZeroRows = default);

    /// <summary>Rows <paramref name="rows"/> of Â · buffer <paramref name="from"/> into <paramref name="y"/>, in T.</summary>
    void MultiplySelected(CsrPartition partition, ReadOnlySpan<int> rows, int from, Span<T> y);

    /// <summary>Each row of Â · buffer <paramref name="from"/>, in float32, into <paramref name="sink"/> (float32 powers only).</summary>
    void MultiplyRowsTo<TSink>(CsrPartition partition, int from, TSink sink, ReadOnlySpan<bool> nonZeroRows)
        where TSink : struct, IRowSink;

    /// <summary><c>sums[i] += alpha · buffer[rows[i]]</c>.</summary>
    void AddRowsTo(Span<T> sums, int from, int[] rows, T alpha);

    /// <summary><c>buffer[rows[p]] += alpha · compact[p]</c> for each row p of the compact <paramref name="compact"/>.</summary>
    void AddScaledRows(int to, ReadOnlySpan<T> compact, int[] rows, T alpha);

    /// <summary>Zeroes rows <paramref name="rows"/> of buffer <paramref name="to"/>.</summary>
    void ClearRows(int to, int[] rows);
}

/// <summary>Powers stored as X is, in T: the products are those of <see cref="CsrKernel.Multiply{T}"/>.</summary>
internal readonly unsafe struct DensePowers<T>(nint input, nint first, nint second, int length, int dim) : IPowerBuffers<T>
    where T : unmanaged, INumber<T>
{
    public void Multiply(CsrPartition partition, int from, int to, ReadOnlySpan<bool> nonZeroRows = default) =>
        CsrKernel.Multiply<T>(partition, Buffer(from), Buffer(to), dim, nonZeroRows: nonZeroRows);

    public void MultiplySelected(CsrPartition partition, ReadOnlySpan<int> rows, int from, Span<T> y) =>
        CsrKernel.MultiplySelected<T>(partition, rows, Buffer(from), y, dim);

    public void MultiplyRowsTo<TSink>(CsrPartition partition, int from, TSink sink, ReadOnlySpan<bool> nonZeroRows)
        where TSink : struct, IRowSink
    {
        if (typeof(T) != typeof(float))
        {
            throw new NotSupportedException("Rows are handed to a sink in float32 only.");
        }

        CsrKernel.MultiplyRowsTo(partition, new ReadOnlySpan<float>((void*)Address(from), length), dim, sink, nonZeroRows);
    }

    public void AddRowsTo(Span<T> sums, int from, int[] rows, T alpha)
    {
        var matrix = Buffer(from);
        for (int i = 0; i < rows.Length; i++)
        {
            CsrKernel.PrefetchAhead<T>(matrix, rows, i, dim);
            var target = sums.Slice(i * dim, dim);
            TensorPrimitives.MultiplyAdd(matrix.Slice(rows[i] * dim, dim), alpha, target, target);
        }
    }

    public void AddScaledRows(int to, ReadOnlySpan<T> compact, int[] rows, T alpha)
    {
        var target = Buffer(to);
        for (int p = 0; p < rows.Length; p++)
        {
            CsrKernel.PrefetchAhead<T>(target, rows, p, dim);
            var destination = target.Slice(rows[p] * dim, dim);
            TensorPrimitives.MultiplyAdd(compact.Slice(p * dim, dim), alpha, destination, destination);
        }
    }

    public void ClearRows(int to, int[] rows)
    {
        var target = Buffer(to);
        for (int i = 0; i < rows.Length; i++)
        {
            CsrKernel.PrefetchAhead<T>(target, rows, i, dim);
            target.Slice(rows[i] * dim, dim).Clear();
        }
    }

    private nint Address(int buffer) => buffer switch { 0 => input, 1 => first, _ => second };

    private Span<T> Buffer(int buffer) => new((void*)Address(buffer), length);
}

/// <summary>
/// Powers rounded to bfloat16 as each product row is stored (<see cref="BFloat16"/>), X itself float32: every sum is
/// still computed in float32, from inputs rounded to about 3 significant digits.
/// </summary>
internal readonly unsafe struct BFloat16Powers(nint input, nint first, nint second, int length, int dim) : IPowerBuffers<float>
{
    public void Multiply(CsrPartition partition, int from, int to, ReadOnlySpan<bool> nonZeroRows = default)
    {
        if (from == 0)
        {
            CsrKernel.MultiplyToBFloat16(partition, new ReadOnlySpan<float>((void*)input, length), Buffer(to), dim, nonZeroRows);
        }
        else
        {
            CsrKernel.MultiplyToBFloat16(partition, Buffer(from), Buffer(to), dim, nonZeroRows);
        }
    }

    public void MultiplySelected(CsrPartition partition, ReadOnlySpan<int> rows, int from, Span<float> y)
    {
        if (from == 0)
        {
            CsrKernel.MultiplySelected<float>(partition, rows, new ReadOnlySpan<float>((void*)input, length), y, dim);
        }
        else
        {
            CsrKernel.MultiplySelected(partition, rows, Buffer(from), y, dim);
        }
    }

    public void MultiplyRowsTo<TSink>(CsrPartition partition, int from, TSink sink, ReadOnlySpan<bool> nonZeroRows)
        where TSink : struct, IRowSink =>
        CsrKernel.MultiplyRowsTo(partition, Buffer(from), dim, sink, nonZeroRows);

    public void AddRowsTo(Span<float> sums, int from, int[] rows, float alpha)
    {
        Span<float> row = stackalloc float[dim];
        var matrix = Buffer(from);
        for (int i = 0; i < rows.Length; i++)
        {
            CsrKernel.PrefetchAhead<ushort>(matrix, rows, i, dim);
            BFloat16.Widen(matrix.Slice(rows[i] * dim, dim), row);
            var target = sums.Slice(i * dim, dim);
            TensorPrimitives.MultiplyAdd(row, alpha, target, target);
        }
    }

    public void AddScaledRows(int to, ReadOnlySpan<float> compact, int[] rows, float alpha)
    {
        Span<float> row = stackalloc float[dim];
        var target = Buffer(to);
        for (int p = 0; p < rows.Length; p++)
        {
            CsrKernel.PrefetchAhead<ushort>(target, rows, p, dim);
            var destination = target.Slice(rows[p] * dim, dim);
            BFloat16.Widen(destination, row);
            TensorPrimitives.MultiplyAdd(compact.Slice(p * dim, dim), alpha, row, row);
            BFloat16.Narrow(row, destination);
        }
    }

    public void ClearRows(int to, int[] rows)
    {
        var target = Buffer(to);
        for (int i = 0; i < rows.Length; i++)
        {
            CsrKernel.PrefetchAhead<ushort>(target, rows, i, dim);
            target.Slice(rows[i] * dim, dim).Clear();
        }
    }

    private Span<ushort> Buffer(int buffer)
    {
        if (buffer == 0)
        {
            throw new InvalidOperationException("X itself is float32, not a bfloat16 buffer.");
        }

        return new((void*)(buffer == 1 ? first : second), length);
    }
}
