using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphRec.Core.Kernels;

/// <summary>
/// The hot loop of LightGCN: <c>Y = Â X</c> for a CSR matrix and a dense row-major <c>[nodes, dim]</c> matrix, rows
/// split into contiguous blocks of about equal non-zero count, one block per task, each output row accumulated with
/// <see cref="Vector256{T}"/> in the row's own memory.
/// </summary>
/// <remarks>
/// We own this kernel because a measurement says so: on Gowalla this loop takes about a tenth of the time of libtorch's
/// COO <c>torch.mm</c>, forward and backward (micro benchmark). Each output row
/// is written by exactly one task in a fixed order, so the result does not depend on the thread count or scheduling.
/// </remarks>
internal static class CsrKernel
{
    // Non-zeros to look ahead when prefetching neighbour rows: with fused multiply-adds, 16 to 24 gave the shortest
    // training batch on Gowalla (phases benchmark); 20 is in the middle of that range.
    private const int PrefetchDistance = 20;

    /// <summary>
    /// Computes <c>y = A x</c> and, when <paramref name="sum"/> is not empty, also <c>sum += alpha y</c> while each row
    /// of y is still in cache. All spans are <c>[rows, dim]</c>, row-major; x must not overlap y or sum. When
    /// <paramref name="nonZeroRows"/> is given, rows of x marked false are taken as zero and not read, whatever they hold.
    /// </summary>
    public static unsafe void Multiply<T>(
        CsrPartition partition, ReadOnlySpan<T> x, Span<T> y, int dim, Span<T> sum = default, T alpha = default, ReadOnlySpan<bool> nonZeroRows = default)
        where T : unmanaged, INumber<T>
    {
        int rows = partition.RowPointers.Length - 1;
        if (x.Length != (long)rows * dim || y.Length != x.Length || (!sum.IsEmpty && sum.Length != x.Length))
        {
            throw new ArgumentException($"Expected {rows} x {dim} values in and out, got {x.Length}, {y.Length} and {sum.Length}.");
        }

        fixed (T* xPointer = x)
        fixed (T* yPointer = y)
        fixed (T* sumPointer = sum)
        fixed (bool* maskPointer = nonZeroRows)
        {
            var input = (nint)xPointer;
            var output = (nint)yPointer;
            var total = (nint)sumPointer;
            var mask = (nint)maskPointer;
            if (partition.BlockCount == 1)
            {
                MultiplyRows<T, DenseRows<T>>(partition, 0, rows, new DenseRows<T>((T*)input), (T*)output, dim, (T*)total, alpha, (bool*)mask);
                return;
            }

            Parallel.For(0, partition.BlockCount, partition.ParallelOptions, block =>
                MultiplyRows<T, DenseRows<T>>(partition, partition.BlockStarts[block], partition.BlockStarts[block + 1], new DenseRows<T>((T*)input), (T*)output, dim,
                    (T*)total, alpha, (bool*)mask));
        }
    }

    /// <summary>
    /// Computes <c>y = A x</c> for a rectangular A (<c>[rows, columns]</c>, its column indices below
    /// <paramref name="columns"/>): x is <c>[columns, dim]</c> and y <c>[rows, dim]</c>, row-major, not overlapping;
    /// each row of y exactly as <see cref="Multiply{T}"/> computes it.
    /// </summary>
    public static void MultiplyRectangular(CsrPartition partition, ReadOnlySpan<float> x, int columns, Span<float> y, int dim)
    {
        int rows = partition.RowPointers.Length - 1;
        if (x.Length != (long)columns * dim || y.Length != (long)rows * dim)
        {
            throw new ArgumentException($"Expected {columns} x {dim} values in and {rows} x {dim} out, got {x.Length} and {y.Length}.");
        }

        MultiplyRectangularRows(partition, 0, x, columns, y, dim);
    }

    /// <summary>
    /// Rows <c>[firstRow, firstRow + y.Length / dim)</c> of <c>A x</c> for a rectangular A (<c>[rows, columns]</c>), x
    /// <c>[columns, dim]</c>, into y row-major, in parallel over runs of equal non-zero count; each row exactly as
    /// <see cref="Multiply{T}"/> computes it, whatever the range.
    /// </summary>
    public static unsafe void MultiplyRectangularRows(CsrPartition partition, int firstRow, ReadOnlySpan<float> x, int columns, Span<float> y, int dim)
    {
        int rows = y.Length / Math.Max(dim, 1);
        if (dim <= 0 || x.Length != (long)columns * dim || y.Length != (long)rows * dim || firstRow < 0 || firstRow + rows > partition.RowPointers.Length - 1)
        {
            throw new ArgumentException(
                $"Expected {columns} x {dim} values in and rows {firstRow} on of a {partition.RowPointers.Length - 1}-row matrix out, got {x.Length} and {y.Length}.");
        }

        int[] pointers = partition.RowPointers;
        int endRow = firstRow + rows;
        long nonZeros = pointers[endRow] - pointers[firstRow];
        int runs = Math.Max(1, Math.Min(rows, (int)Math.Min(partition.ParallelOptions.MaxDegreeOfParallelism * CsrPartition.BlocksPerThread, nonZeros / 4096)));
        fixed (float* xPointer = x)
        fixed (float* yPointer = y)
        {
            var input = (nint)xPointer;
            var output = (nint)(yPointer - ((long)firstRow * dim)); // row r of A x lands at row r - firstRow of y
            Parallel.For(0, runs, partition.ParallelOptions, run =>
            {
                int start = run == 0 ? firstRow : RowAtNonZero(pointers, firstRow, endRow, pointers[firstRow] + (nonZeros * run / runs));
                int end = run == runs - 1 ? endRow : RowAtNonZero(pointers, firstRow, endRow, pointers[firstRow] + (nonZeros * (run + 1) / runs));
                MultiplyRows<float, DenseRows<float>>(partition, start, end, new DenseRows<float>((float*)input), (float*)output, dim, null, 0f, null);
            });
        }

        // A row of [from, to] whose non-zeros start at `target`, or where none does the first that starts after it: the
        // same row for the same target, so that one run ends where the next begins.
        static int RowAtNonZero(int[] pointers, int from, int to, long target)
        {
            int row = Array.BinarySearch(pointers, from, to - from + 1, (int)target);
            return row < 0 ? ~row : row;
        }
    }

    /// <summary>
    /// Rows ahead of the one being computed that <see cref="MultiplyRowsTo{TSink}(CsrPartition, ReadOnlySpan{float}, int, TSink, ReadOnlySpan{bool})"/> tells its sink about
    /// (<see cref="IRowSink.Prefetch"/>), so that Adam's state and the batch's compact rows arrive before they are needed:
    /// asking a few rows ahead shortens Gowalla's training batch (phases benchmark).
    /// </summary>
    public const int SinkLookahead = 4;

    /// <summary>
    /// Computes <c>A x</c> row by row and hands each row to <paramref name="sink"/> instead of storing it: each row
    /// exactly as <see cref="Multiply{T}"/> computes it (with the same <paramref name="nonZeroRows"/>), each handed
    /// over once, by the thread that computed it, each thread's rows in ascending order. The sink hears of each row
    /// <see cref="SinkLookahead"/> rows before it arrives, within the same thread's run of rows.
    /// </summary>
    public static void MultiplyRowsTo<TSink>(CsrPartition partition, ReadOnlySpan<float> x, int dim, TSink sink, ReadOnlySpan<bool> nonZeroRows = default)
        where TSink : struct, IRowSink =>
        MultiplyRectangularRowsTo(partition, x, partition.RowPointers.Length - 1, dim, sink, nonZeroRows);

    /// <summary>
    /// <see cref="MultiplyRowsTo{TSink}(CsrPartition, ReadOnlySpan{float}, int, TSink, ReadOnlySpan{bool})"/> for a
    /// rectangular A (<c>[rows, columns]</c>, its column indices below <paramref name="columns"/>): x is
    /// <c>[columns, dim]</c> (with <paramref name="nonZeroRows"/> one flag per column of A), and each row of <c>A x</c>
    /// is computed as <see cref="MultiplyRectangular"/> computes it.
    /// </summary>
    public static unsafe void MultiplyRectangularRowsTo<TSink>(CsrPartition partition, ReadOnlySpan<float> x, int columns, int dim, TSink sink, ReadOnlySpan<bool> nonZeroRows = default)
        where TSink : struct, IRowSink
    {
        CheckLength(columns, x.Length, dim);
        fixed (float* xPointer = x)
        {
            RowsTo(partition, new DenseRows<float>(xPointer), dim, sink, nonZeroRows);
        }
    }

    /// <summary>
    /// <see cref="MultiplyRowsTo{TSink}(CsrPartition, ReadOnlySpan{float}, int, TSink, ReadOnlySpan{bool})"/> for an x
    /// of bfloat16 values (<see cref="BFloat16"/>): each row summed in float32, in the same order.
    /// </summary>
    public static unsafe void MultiplyRowsTo<TSink>(CsrPartition partition, ReadOnlySpan<ushort> x, int dim, TSink sink, ReadOnlySpan<bool> nonZeroRows = default)
        where TSink : struct, IRowSink
    {
        CheckRows(partition, x.Length, dim);
        fixed (ushort* xPointer = x)
        {
            RowsTo(partition, new BFloat16Rows(xPointer), dim, sink, nonZeroRows);
        }
    }

    /// <summary>
    /// <c>y = A x</c> rounded to bfloat16 (<see cref="BFloat16"/>), each row summed in float32 exactly as
    /// <see cref="Multiply{T}"/> sums it, then rounded once; x float32 or bfloat16, with <paramref name="nonZeroRows"/>
    /// as there. For the training step's powers, whose neighbour rows are then half the bytes to fetch.
    /// </summary>
    public static unsafe void MultiplyToBFloat16(CsrPartition partition, ReadOnlySpan<float> x, Span<ushort> y, int dim, ReadOnlySpan<bool> nonZeroRows = default)
    {
        CheckRows(partition, x.Length, dim);
        CheckRows(partition, y.Length, dim);
        fixed (float* xPointer = x)
        fixed (ushort* yPointer = y)
        {
            RowsTo(partition, new DenseRows<float>(xPointer), dim, new NarrowInto(yPointer, dim), nonZeroRows);
        }
    }

    /// <inheritdoc cref="MultiplyToBFloat16(CsrPartition, ReadOnlySpan{float}, Span{ushort}, int, ReadOnlySpan{bool})"/>
    public static unsafe void MultiplyToBFloat16(CsrPartition partition, ReadOnlySpan<ushort> x, Span<ushort> y, int dim, ReadOnlySpan<bool> nonZeroRows = default)
    {
        CheckRows(partition, x.Length, dim);
        CheckRows(partition, y.Length, dim);
        fixed (ushort* xPointer = x)
        fixed (ushort* yPointer = y)
        {
            RowsTo(partition, new BFloat16Rows(xPointer), dim, new NarrowInto(yPointer, dim), nonZeroRows);
        }
    }

    private static void CheckRows(CsrPartition partition, int length, int dim) => CheckLength(partition.RowPointers.Length - 1, length, dim);

    private static void CheckLength(int rows, int length, int dim)
    {
        if (length != (long)rows * dim)
        {
            throw new ArgumentException($"Expected {rows} x {dim} values, got {length}.");
        }
    }

    private static unsafe void RowsTo<TSource, TSink>(CsrPartition partition, TSource source, int dim, TSink sink, ReadOnlySpan<bool> nonZeroRows)
        where TSource : struct, IRowSource<float>
        where TSink : struct, IRowSink
    {
        fixed (bool* maskPointer = nonZeroRows)
        {
            var mask = (nint)maskPointer;
            Parallel.For(0, partition.BlockCount, partition.ParallelOptions, block =>
            {
                int first = partition.BlockStarts[block], end = partition.BlockStarts[block + 1];
                var row = new float[dim];
                fixed (float* target = row)
                {
                    var sinkRows = new SinkRows<TSink>(sink, end, target, dim);
                    ForEachRow<float, TSource, SinkRows<TSink>>(partition, first, end, source, dim, (bool*)mask, null, ref sinkRows);
                }

                sink.Complete();
            });
        }
    }

    /// <summary>
    /// Computes rows <paramref name="rows"/> of <c>A x</c> only, into consecutive rows of <paramref name="y"/>
    /// (<c>[rows.Length, dim]</c>): each exactly as <see cref="Multiply{T}"/> computes it.
    /// </summary>
    public static unsafe void MultiplySelected<T>(CsrPartition partition, ReadOnlySpan<int> rows, ReadOnlySpan<T> x, Span<T> y, int dim)
        where T : unmanaged, INumber<T>
    {
        if (y.Length != (long)rows.Length * dim || x.Length != (long)(partition.RowPointers.Length - 1) * dim)
        {
            throw new ArgumentException($"Expected {rows.Length} x {dim} values out, got {y.Length}.");
        }

        fixed (T* xPointer = x)
        {
            Selected(partition, rows, new DenseRows<T>(xPointer), y, dim);
        }
    }

    /// <summary>
    /// <see cref="MultiplySelected{T}(CsrPartition, ReadOnlySpan{int}, ReadOnlySpan{T}, Span{T}, int)"/> for an x of
    /// bfloat16 values (<see cref="BFloat16"/>): each row summed in float32, in the same order.
    /// </summary>
    public static unsafe void MultiplySelected(CsrPartition partition, ReadOnlySpan<int> rows, ReadOnlySpan<ushort> x, Span<float> y, int dim)
    {
        if (y.Length != (long)rows.Length * dim || x.Length != (long)(partition.RowPointers.Length - 1) * dim)
        {
            throw new ArgumentException($"Expected {rows.Length} x {dim} values out, got {y.Length}.");
        }

        fixed (ushort* xPointer = x)
        {
            Selected(partition, rows, new BFloat16Rows(xPointer), y, dim);
        }
    }

    private static unsafe void Selected<T, TSource>(CsrPartition partition, ReadOnlySpan<int> rows, TSource source, Span<T> y, int dim)
        where T : unmanaged, INumber<T>
        where TSource : struct, IRowSource<T>
    {
        fixed (int* rowPointer = rows)
        fixed (T* yPointer = y)
        {
            var selected = (nint)rowPointer;
            var output = (nint)yPointer;
            int count = rows.Length, blocks = Math.Max(1, Math.Min(partition.BlockCount, (count + 255) / 256));
            Parallel.For(0, blocks, partition.ParallelOptions, block =>
            {
                // The i-th picked row goes to row i of y.
                var store = new StoreRows<T>((T*)output, dim, null, default);
                ForEachRow<T, TSource, StoreRows<T>>(partition, (int)((long)count * block / blocks), (int)((long)count * (block + 1) / blocks), source, dim, null, (int*)selected, ref store);
            });
        }
    }

    private static unsafe void MultiplyRows<T, TSource>(CsrPartition partition, int firstRow, int endRow, TSource source, T* y, int dim, T* sum, T alpha, bool* nonZeroRows)
        where T : unmanaged, INumber<T>
        where TSource : struct, IRowSource<T>
    {
        var store = new StoreRows<T>(y, dim, sum, alpha);
        ForEachRow<T, TSource, StoreRows<T>>(partition, firstRow, endRow, source, dim, nonZeroRows, null, ref store);
    }

    /// <summary>
    /// Rows <c>[first, end)</c> of <c>A x</c> (x read through <paramref name="x"/>), or with <paramref name="selected"/> rows <c>selected[first .. end)</c>,
    /// each computed into <see cref="IRowTarget{T}.Row"/> and handed to <paramref name="target"/> in order under its
    /// index (the row, or its place in <paramref name="selected"/>); with <paramref name="nonZeroRows"/>, from each
    /// row's non-zeros in marked columns only. Picked or masked rows are copied out in runs first (<see cref="RowRun"/>).
    /// </summary>
    private static unsafe void ForEachRow<T, TSource, TTarget>(
        CsrPartition partition, int first, int end, TSource x, int dim, bool* nonZeroRows, int* selected, ref TTarget target)
        where T : unmanaged
        where TSource : struct, IRowSource<T>
        where TTarget : struct, IRowTarget<T>
    {
        fixed (int* rowPointers = partition.RowPointers)
        fixed (int* columns = partition.Columns)
        fixed (float* values = partition.Values)
        {
            if (nonZeroRows == null && selected == null)
            {
                // Prefetching runs across row ends (rows are short: 23 non-zeros on average on Gowalla) up to the block's end.
                int prefetchLimit = rowPointers[end];
                for (int row = first; row < end; row++)
                {
                    target.Before(row);
                    x.ComputeRow(columns, values, rowPointers[row], rowPointers[row + 1], prefetchLimit, target.Row(row), dim);
                    target.After(row);
                }

                return;
            }

            using var run = new RowRun(partition);
            for (int runStart = first; runStart < end;)
            {
                int runEnd = selected != null
                    ? run.CopySelected(rowPointers, columns, values, selected, runStart, end)
                    : run.CopyMarked(rowPointers, columns, values, (byte*)nonZeroRows, runStart, end);
                int* starts = run.Starts - runStart;
                for (int i = runStart; i < runEnd; i++)
                {
                    target.Before(i);
                    x.ComputeRow(run.Columns, run.Values, starts[i], starts[i + 1], starts[runEnd], target.Row(i), dim);
                    target.After(i);
                }

                runStart = runEnd;
            }
        }
    }

    /// <summary>How <see cref="ForEachRow{T, TSource, TTarget}"/> reads x: one row of <c>A x</c> from some of its non-zeros.</summary>
    private unsafe interface IRowSource<T>
        where T : unmanaged
    {
        /// <summary><c>target = Σ values[k] · x[columns[k]]</c> over <c>k</c> in <c>[first, end)</c>, in that order.</summary>
        void ComputeRow(int* columns, float* values, int first, int end, int prefetchLimit, T* target, int dim);
    }

    /// <summary>x as a row-major matrix of T.</summary>
    private readonly unsafe struct DenseRows<T>(T* x) : IRowSource<T>
        where T : unmanaged, INumber<T>
    {
        public void ComputeRow(int* columns, float* values, int first, int end, int prefetchLimit, T* target, int dim) =>
            CsrKernel.ComputeRow<T, T, AsStored<T>>(columns, values, first, end, prefetchLimit, x, target, dim);
    }

    /// <summary>x as a row-major matrix of bfloat16 values, each row summed in float32 as <see cref="DenseRows{T}"/> sums it.</summary>
    private readonly unsafe struct BFloat16Rows(ushort* x) : IRowSource<float>
    {
        public void ComputeRow(int* columns, float* values, int first, int end, int prefetchLimit, float* target, int dim) =>
            CsrKernel.ComputeRow<float, ushort, WidenedBFloat16>(columns, values, first, end, prefetchLimit, x, target, dim);
    }

    /// <summary>How the row loop reads x's values into <see cref="Vector256{T}"/> of the type it sums in.</summary>
    private unsafe interface IStoredValues<TStored, T>
        where TStored : unmanaged
        where T : unmanaged
    {
        /// <summary><c>Vector256&lt;T&gt;.Count</c> values from <paramref name="source"/>.</summary>
        static abstract Vector256<T> Load(TStored* source);

        /// <summary>The value at <paramref name="source"/>.</summary>
        static abstract T LoadOne(TStored* source);
    }

    /// <summary>Values stored as they are summed.</summary>
    private readonly unsafe struct AsStored<T> : IStoredValues<T, T>
        where T : unmanaged
    {
        public static Vector256<T> Load(T* source) => Vector256.Load(source);

        public static T LoadOne(T* source) => *source;
    }

    /// <summary>bfloat16 values, summed in float32 (<see cref="BFloat16"/>).</summary>
    private readonly unsafe struct WidenedBFloat16 : IStoredValues<ushort, float>
    {
        public static Vector256<float> Load(ushort* source) => BFloat16.Load(source);

        public static float LoadOne(ushort* source) => BFloat16.ToSingle(*source);
    }

    /// <summary>Where <see cref="ForEachRow{T, TSource, TTarget}"/> computes each row, and what follows it.</summary>
    private unsafe interface IRowTarget<T>
        where T : unmanaged
    {
        /// <summary>Before row <paramref name="row"/> is computed.</summary>
        void Before(int row);

        /// <summary>Where row <paramref name="row"/> is computed.</summary>
        T* Row(int row);

        /// <summary>After row <paramref name="row"/> is computed.</summary>
        void After(int row);
    }

    /// <summary>Each row into its place in y, then <c>sum += alpha y</c> there when there is a sum.</summary>
    private readonly unsafe struct StoreRows<T>(T* y, int dim, T* sum, T alpha) : IRowTarget<T>
        where T : unmanaged, INumber<T>
    {
        private readonly int _width = Vector256.IsHardwareAccelerated ? Vector256<T>.Count : 0;

        public void Before(int row)
        {
        }

        public T* Row(int row) => y + ((long)row * dim);

        public void After(int row)
        {
            if (sum != null)
            {
                AddScaled(sum + ((long)row * dim), y + ((long)row * dim), alpha, dim, _width);
            }
        }
    }

    /// <summary>Each row into one reused row, handed to the sink, which hears of each row <see cref="SinkLookahead"/> rows early.</summary>
    private readonly unsafe struct SinkRows<TSink>(TSink sink, int endRow, float* buffer, int dim) : IRowTarget<float>
        where TSink : struct, IRowSink
    {
        public void Before(int row)
        {
            if (row + SinkLookahead < endRow)
            {
                sink.Prefetch(row + SinkLookahead);
            }
        }

        public float* Row(int row) => buffer;

        public void After(int row) => sink.Accept(row, new Span<float>(buffer, dim));
    }

    /// <summary>Each row rounded into its place in a bfloat16 <c>[rows, dim]</c> matrix.</summary>
    private readonly unsafe struct NarrowInto : IRowSink
    {
        private readonly ushort* _y;
        private readonly int _dim;

        public NarrowInto(ushort* y, int dim)
        {
            _y = y;
            _dim = dim;
        }

        public void Accept(int row, Span<float> values) => BFloat16.Narrow(values, new Span<ushort>(_y + ((long)row * _dim), _dim));

        public void Prefetch(int row)
        {
        }

        public void Complete()
        {
        }
    }

    /// <summary>
    /// <c>target = Σ values[k] · x[columns[k]]</c> over <c>k</c> in <c>[first, end)</c>, in that order; neighbour rows are
    /// prefetched up to <paramref name="prefetchLimit"/>.
    /// </summary>
    private static unsafe void ComputeRow<T, TStored, TFormat>(int* columns, float* values, int first, int end, int prefetchLimit, TStored* x, T* target, int dim)
        where T : unmanaged, INumber<T>
        where TStored : unmanaged
        where TFormat : IStoredValues<TStored, T>
    {
        int width = Vector256.IsHardwareAccelerated ? Vector256<T>.Count : 0;
        int vectorEnd = width == 0 ? 0 : dim - (dim % width);

        // Eight (then four) vectors of the output row stay in registers while the row's neighbours stream past:
        // for dim 64 and float, one pass over the row's non-zeros, each neighbour's row read once.
        int d = 0;
        for (; d + (8 * width) <= vectorEnd; d += 8 * width)
        {
            AccumulateEight<T, TStored, TFormat>(x, target + d, columns, values, first, end, prefetchLimit, dim, d, width);
        }

        for (; d + (4 * width) <= vectorEnd; d += 4 * width)
        {
            var sum0 = Vector256<T>.Zero;
            var sum1 = Vector256<T>.Zero;
            var sum2 = Vector256<T>.Zero;
            var sum3 = Vector256<T>.Zero;
            for (int k = first; k < end; k++)
            {
                var weight = Vector256.Create(T.CreateTruncating(values[k]));
                TStored* source = x + ((long)columns[k] * dim) + d;
                sum0 = MultiplyAdd(weight, TFormat.Load(source), sum0);
                sum1 = MultiplyAdd(weight, TFormat.Load(source + width), sum1);
                sum2 = MultiplyAdd(weight, TFormat.Load(source + (2 * width)), sum2);
                sum3 = MultiplyAdd(weight, TFormat.Load(source + (3 * width)), sum3);
            }

            sum0.Store(target + d);
            sum1.Store(target + d + width);
            sum2.Store(target + d + (2 * width));
            sum3.Store(target + d + (3 * width));
        }

        for (; d < vectorEnd; d += width)
        {
            var single = Vector256<T>.Zero;
            for (int k = first; k < end; k++)
            {
                single = MultiplyAdd(Vector256.Create(T.CreateTruncating(values[k])), TFormat.Load(x + ((long)columns[k] * dim) + d), single);
            }

            single.Store(target + d);
        }

        for (; d < dim; d++)
        {
            T total = T.Zero;
            for (int k = first; k < end; k++)
            {
                total += T.CreateTruncating(values[k]) * TFormat.LoadOne(x + ((long)columns[k] * dim) + d);
            }

            target[d] = total;
        }
    }

    /// <summary>
    /// Rows to look ahead in loops over a batch's rows (a few thousand of tens of thousands, in no order the hardware
    /// prefetcher can follow), so that their memory arrives before it is read: a shorter training batch on Gowalla
    /// (phases benchmark).
    /// </summary>
    public const int RowLookahead = 8;

    /// <summary>
    /// For a loop at <paramref name="i"/> over <paramref name="rows"/>: asks for row <c>rows[i + RowLookahead]</c> of a
    /// <c>[rows, dim]</c> matrix, when the loop has that far to go.
    /// </summary>
    public static void PrefetchAhead<T>(ReadOnlySpan<T> matrix, ReadOnlySpan<int> rows, int i, int dim)
        where T : unmanaged
    {
        if (i + RowLookahead < rows.Length)
        {
            PrefetchRow(matrix, rows[i + RowLookahead], dim);
        }
    }

    /// <summary>Asks for <paramref name="count"/> values from <paramref name="start"/> to be brought into cache.</summary>
    public static unsafe void Prefetch<T>(T* start, int count)
        where T : unmanaged
    {
        if (Sse.IsSupported)
        {
            for (int offset = 0; offset < count * sizeof(T); offset += 64)
            {
                Sse.Prefetch0((byte*)start + offset);
            }
        }
    }

    /// <summary>Asks for row <paramref name="row"/> of a <c>[rows, dim]</c> matrix to be brought into cache, when it exists.</summary>
    public static unsafe void PrefetchRow<T>(ReadOnlySpan<T> matrix, int row, int dim)
        where T : unmanaged
    {
        if ((long)(row + 1) * dim <= matrix.Length)
        {
            fixed (T* start = matrix)
            {
                Prefetch(start + ((long)row * dim), dim);
            }
        }
    }

    /// <summary><c>sum += alpha * row</c> over one row.</summary>
    private static unsafe void AddScaled<T>(T* sum, T* row, T alpha, int dim, int width)
        where T : unmanaged, INumber<T>
    {
        int d = 0;
        if (width > 0)
        {
            var scale = Vector256.Create(alpha);
            for (; d + width <= dim; d += width)
            {
                (Vector256.Load(sum + d) + (scale * Vector256.Load(row + d))).Store(sum + d);
            }
        }

        for (; d < dim; d++)
        {
            sum[d] += alpha * row[d];
        }
    }

    private static unsafe void AccumulateEight<T, TStored, TFormat>(
        TStored* x, T* target, int* columns, float* values, int first, int end, int prefetchLimit, int dim, int offset, int width)
        where T : unmanaged, INumber<T>
        where TStored : unmanaged
        where TFormat : IStoredValues<TStored, T>
    {
        var sum0 = Vector256<T>.Zero;
        var sum1 = Vector256<T>.Zero;
        var sum2 = Vector256<T>.Zero;
        var sum3 = Vector256<T>.Zero;
        var sum4 = Vector256<T>.Zero;
        var sum5 = Vector256<T>.Zero;
        var sum6 = Vector256<T>.Zero;
        var sum7 = Vector256<T>.Zero;
        for (int k = first; k < end; k++)
        {
            var weight = Vector256.Create(T.CreateTruncating(values[k]));
            TStored* source = x + ((long)columns[k] * dim) + offset;
            if (Sse.IsSupported && k + PrefetchDistance < prefetchLimit)
            {
                // The neighbour rows are scattered over a matrix larger than L2: ask for one a few steps ahead (eight
                // vectors: 256 bytes of float32, 128 of bfloat16).
                byte* ahead = (byte*)(x + ((long)columns[k + PrefetchDistance] * dim) + offset);
                Sse.Prefetch0(ahead);
                Sse.Prefetch0(ahead + 64);
                if (8 * width * sizeof(TStored) > 128)
                {
                    Sse.Prefetch0(ahead + 128);
                    Sse.Prefetch0(ahead + 192);
                }
            }

            sum0 = MultiplyAdd(weight, TFormat.Load(source), sum0);
            sum1 = MultiplyAdd(weight, TFormat.Load(source + width), sum1);
            sum2 = MultiplyAdd(weight, TFormat.Load(source + (2 * width)), sum2);
            sum3 = MultiplyAdd(weight, TFormat.Load(source + (3 * width)), sum3);
            sum4 = MultiplyAdd(weight, TFormat.Load(source + (4 * width)), sum4);
            sum5 = MultiplyAdd(weight, TFormat.Load(source + (5 * width)), sum5);
            sum6 = MultiplyAdd(weight, TFormat.Load(source + (6 * width)), sum6);
            sum7 = MultiplyAdd(weight, TFormat.Load(source + (7 * width)), sum7);
        }

        sum0.Store(target);
        sum1.Store(target + width);
        sum2.Store(target + (2 * width));
        sum3.Store(target + (3 * width));
        sum4.Store(target + (4 * width));
        sum5.Store(target + (5 * width));
        sum6.Store(target + (6 * width));
        sum7.Store(target + (7 * width));
    }

    /// <summary><c>a · b + c</c>, fused (one rounding) where the processor has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, INumber<T>
    {
        if (Fma.IsSupported && typeof(T) == typeof(float))
        {
            return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (Fma.IsSupported && typeof(T) == typeof(double))
        {
            return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        return (a * b) + c;
    }

    /// <summary>
    /// The non-zeros of a run of rows copied next to each other, so that the row loop's prefetching runs on from one
    /// row into the next: the rows a product picks out (<see cref="MultiplySelected{T}"/>), or each row's non-zeros in
    /// the marked columns only (a product that reads only some rows of x). Buffers for <see cref="Capacity"/> non-zeros
    /// (or the longest row), one per task, freed when it ends.
    /// </summary>
    /// <remarks>
    /// Owned because measured: the gradient's first product reads about an eighth of Gowalla's non-zeros, and testing
    /// each column inside the row loop mispredicts a branch at nearly every kept one; gathering without a branch, then
    /// running the row loop over the kept ones, shortens the gradient phase (phases benchmark). Runs of rows, not one
    /// row at a time, because a single row keeps too few non-zeros for the prefetching ahead to reach any of them, and
    /// a product over picked rows would fetch each row's first neighbours unannounced. The sums are the same, in the
    /// same order.
    /// </remarks>
    private readonly unsafe struct RowRun : IDisposable
    {
        /// <summary>Non-zeros a run holds, unless one row has more.</summary>
        public const int Capacity = 8192;

        private readonly int _capacity;

        public RowRun(CsrPartition partition)
        {
            _capacity = Math.Max(partition.MaxRowLength, Capacity);
            Columns = (int*)NativeMemory.Alloc((nuint)_capacity, sizeof(int));
            Values = (float*)NativeMemory.Alloc((nuint)_capacity, sizeof(float));
            Starts = (int*)NativeMemory.Alloc((nuint)_capacity + 1, sizeof(int));
        }

        public int* Columns { get; }

        public float* Values { get; }

        /// <summary>Where the run's i-th row starts in <see cref="Columns"/> and <see cref="Values"/>; entry i + 1 is where it ends.</summary>
        public int* Starts { get; }

        /// <summary>Copies rows <c>rows[first ..]</c> whole, as many as fit; returns the index after the last one copied.</summary>
        public int CopySelected(int* rowPointers, int* columns, float* values, int* rows, int first, int end)
        {
            int count = 0, i = first;
            Starts[0] = 0;
            for (; i < end && i - first < _capacity; i++)
            {
                int start = rowPointers[rows[i]], length = rowPointers[rows[i] + 1] - start;
                if (count + length > _capacity)
                {
                    break;
                }

                new ReadOnlySpan<int>(columns + start, length).CopyTo(new Span<int>(Columns + count, length));
                new ReadOnlySpan<float>(values + start, length).CopyTo(new Span<float>(Values + count, length));
                count += length;
                Starts[i - first + 1] = count;
            }

            return i;
        }

        /// <summary>
        /// Copies the non-zeros of rows <c>first ..</c> whose column is marked, as many rows as fit; returns the row after
        /// the last one copied.
        /// </summary>
        public int CopyMarked(int* rowPointers, int* columns, float* values, byte* marks, int first, int end)
        {
            // Each non-zero is written at the next free place, which moves on only when its column is marked (a bool
            // is stored as 0 or 1): no branch on the marks. A run ends before the rows' full length would not fit.
            int count = 0, row = first, limit = rowPointers[first] + _capacity;
            Starts[0] = 0;
            for (; row < end && row - first < _capacity && rowPointers[row + 1] <= limit; row++)
            {
                for (int k = rowPointers[row]; k < rowPointers[row + 1]; k++)
                {
                    int column = columns[k];
                    Columns[count] = column;
                    Values[count] = values[k];
                    count += marks[column];
                }

                Starts[row - first + 1] = count;
            }

            return row;
        }

        public void Dispose()
        {
            NativeMemory.Free(Columns);
            NativeMemory.Free(Values);
            NativeMemory.Free(Starts);
        }
    }
}

/// <summary>Receives the rows of a product one at a time (<see cref="CsrKernel.MultiplyRowsTo{TSink}(CsrPartition, ReadOnlySpan{float}, int, TSink, ReadOnlySpan{bool})"/>).</summary>
internal interface IRowSink
{
    /// <summary>Row <paramref name="row"/>; <paramref name="values"/> is reused for the next row once this returns.</summary>
    void Accept(int row, Span<float> values);

    /// <summary>
    /// Row <paramref name="row"/> will arrive a few rows from now on this thread: a sink that reads memory per row asks
    /// for it here, since the product's scattered reads keep the processor from fetching those streams ahead itself.
    /// </summary>
    void Prefetch(int row);

    /// <summary>
    /// Called on each thread after the last row it handed over: a sink that writes with non-temporal stores fences them
    /// here, so that they are complete before the product returns and another thread reads them.
    /// </summary>
    void Complete();
}

/// <summary>A CSR matrix with its rows cut into blocks of about equal work for <see cref="CsrKernel"/>.</summary>
internal sealed class CsrPartition
{
    /// <summary>
    /// More blocks than threads, so that a thread that finishes early takes another: 8 to 64 per thread all beat 4 on
    /// Gowalla's training batch (phases benchmark), and 16 is in that range.
    /// </summary>
    internal const int BlocksPerThread = 16;

    public CsrPartition(int[] rowPointers, int[] columns, float[] values, int maxDegreeOfParallelism)
    {
        RowPointers = rowPointers;
        Columns = columns;
        Values = values;
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        ParallelOptions = new ParallelOptions { MaxDegreeOfParallelism = threads };

        // Blocks of equal non-zero count, BlocksPerThread per thread, taken by whichever thread is free: rows differ in
        // degree, a row's other work (Adam's step on it) does not follow its non-zeros, and a shared machine stalls
        // one core or the other, so that with a few large blocks one thread waits at the end of each product.
        int rows = rowPointers.Length - 1;
        long nonZeros = rowPointers[rows];
        int blocks = threads == 1 || nonZeros < 4096 ? 1 : Math.Min(threads * BlocksPerThread, Math.Max(rows, 1));
        var starts = new List<int>(blocks + 1) { 0 };
        for (int b = 1; b < blocks; b++)
        {
            long target = nonZeros * b / blocks;
            int row = Array.BinarySearch(rowPointers, 0, rows + 1, (int)target);
            row = row < 0 ? ~row : row;
            if (row > starts[^1] && row < rows)
            {
                starts.Add(row);
            }
        }

        starts.Add(rows);
        BlockStarts = [.. starts];
        for (int row = 0; row < rows; row++)
        {
            MaxRowLength = Math.Max(MaxRowLength, rowPointers[row + 1] - rowPointers[row]);
        }
    }

    /// <summary>The most non-zeros in a row.</summary>
    public int MaxRowLength { get; }

    /// <summary>
    /// The transpose, <c>[columns, rows]</c>, cut for the same thread count: each of its rows (a column here) lists that
    /// column's rows in ascending order, with their values.
    /// </summary>
    public CsrPartition Transpose(int columns)
    {
        int rows = RowPointers.Length - 1;
        var pointers = new int[columns + 1];
        foreach (int column in Columns.AsSpan(0, RowPointers[rows]))
        {
            pointers[column + 1]++;
        }

        for (int column = 0; column < columns; column++)
        {
            pointers[column + 1] += pointers[column];
        }

        var next = pointers[..^1];
        var transposedColumns = new int[RowPointers[rows]];
        var transposedValues = new float[RowPointers[rows]];
        for (int row = 0; row < rows; row++)
        {
            for (int p = RowPointers[row]; p < RowPointers[row + 1]; p++)
            {
                int slot = next[Columns[p]]++;
                transposedColumns[slot] = row;
                transposedValues[slot] = Values[p];
            }
        }

        return new CsrPartition(pointers, transposedColumns, transposedValues, ParallelOptions.MaxDegreeOfParallelism);
    }

    public int[] RowPointers { get; }

    public int[] Columns { get; }

    public float[] Values { get; }

    public ParallelOptions ParallelOptions { get; }

    /// <summary>First row of each block, then the row count.</summary>
    public int[] BlockStarts { get; }

    public int BlockCount => BlockStarts.Length - 1;
}
