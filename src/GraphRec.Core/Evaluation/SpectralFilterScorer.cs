using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// The scores of a spectral filter (<see cref="SpectralFilter"/>) for rows of items:
/// <code>
///   R̃ = D_U^-a R D_I^-1/2,   P = R̃ᵀR̃                                   (items x items, never made; a = ½ by default)
///   b = (r ∘ d^-β) h(P) ∘ d^β'  +  α · (r ∘ d^-γ) V_k V_kᵀ ∘ d^γ          (d the item degrees, V_k of R̃, β' = β by default)
///   s = b · g(P)^n,  g(P) = Σ_{j≤4} (−τP)^j / j!, τ = T / n             (sharpening; g = 1 when T = 0)
/// </code>
/// </summary>
/// <remarks>
/// Rows are scored in blocks of up to <see cref="BlockWidth"/> as the columns of a dense <c>[items, width]</c> matrix,
/// so that each product with P is two CSR products (<see cref="CsrKernel.MultiplyRectangular"/>), R̃ by user then R̃ᵀ
/// by item, each non-zero streaming one short row of the block; the first product, of the sparse input, takes R̃ x from
/// the rows' items' users alone (<see cref="GraphFilterScorer.FirstHopByItem"/>). h is applied by Horner's rule in powers of P, or by the
/// Chebyshev recurrence in L̃ = I − 2P, so that a degree-K filter costs K products with P whatever its coefficients.
/// Without sharpening the ideal term is one dense product for all the rows of a call, added to the scores in place;
/// with it, one per block, added to the block in place before the block is sharpened.
/// </remarks>
internal sealed class SpectralFilterScorer : IFilterScorer
{
    /// <summary>Rows per block: the block, <c>[items, 64]</c> floats, is 10 MiB on Gowalla, and 64 fills the kernel's eight vectors.</summary>
    internal const int BlockWidth = 64;

    /// <summary>
    /// Blocks in an evaluation batch (<see cref="UsersPerBatch"/>): whole blocks only, since a block narrower than
    /// <see cref="BlockWidth"/> costs its products nearly as much as a full one (the kernel's tail columns are summed one
    /// at a time), and several, so that the ideal term's product is a large one.
    /// </summary>
    internal const int BlocksPerBatch = 4;

    private readonly Interactions _train;
    private readonly CsrPartition _byUser;    // R̃, [users, items]
    private readonly CsrPartition _byItem;    // R̃ᵀ, [items, users]
    private readonly float[] _inputScale;     // d^-β
    private readonly float[] _outputScale;    // d^β'
    private readonly float[] _idealInput;     // d^-γ V_k, [items, k]
    private readonly Tensor? _idealOutput;    // α d^γ V_k, [items, k], per block before sharpening
    private readonly Tensor? _idealBack;      // α V_kᵀ d^γ, [k, items], per call without sharpening
    private readonly float[] _basis;          // V_k, [items, k]
    private readonly double _idealUserDegree; // ρ: the ideal term of a user with n items is weighted (n / n̄)^ρ
    private readonly double _meanUserDegree;  // n̄, over the training users who have items
    private readonly double[] _polynomial;
    private readonly double[] _chebyshev;
    private readonly double[] _sharpening;
    private readonly int _sharpeningSteps;
    private readonly ConcurrentBag<Block> _blocks = [];

    /// <summary>The filter of <paramref name="train"/> with V_k computed by <see cref="RandomizedSvd"/> (none when α = 0).</summary>
    public static SpectralFilterScorer Fit(Interactions train, SpectralFilterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int rank = Math.Min(options.Rank, Math.Min(train.UserCount, train.ItemCount));
        if (options.Alpha != 0)
        {
            OptionChecks.RequireSvdMemory(nameof(SpectralFilterOptions), options.Rank, options.Oversampling, train.UserCount, train.ItemCount);
        }

        if (options.Alpha == 0)
        {
            return new SpectralFilterScorer(train, [], 0, options);
        }

        return new SpectralFilterScorer(train, SingularVectors(train, rank, options, cancellationToken), rank, options);
    }

    /// <summary>V_k of R̃ by <see cref="RandomizedSvd"/>, row-major <c>[items, rank]</c>, with the options' oversampling, power iterations and seed.</summary>
    internal static float[] SingularVectors(Interactions train, int rank, SpectralFilterOptions options, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var (_, right) = RandomizedSvd.Compute(GraphFilterScorer.Normalized(train, options.UserNormalization), train.ItemCount, rank, options.Oversampling, options.PowerIterations, options.Seed, cancellationToken);
        using var values = right.to_type(ScalarType.Float32).contiguous().data<float>();
        return values.ToArray();
    }

    /// <summary>The filter of <paramref name="train"/> with a known <paramref name="basis"/> V_k (row-major <c>[items, rank]</c>, empty when rank is 0).</summary>
    public SpectralFilterScorer(Interactions train, float[] basis, int rank, SpectralFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        if ((long)train.ItemCount * rank != basis.Length)
        {
            throw new ArgumentException($"The basis has {basis.Length} values; {train.ItemCount} items x rank {rank} needs {(long)train.ItemCount * rank}.", nameof(basis));
        }

        _train = train;
        _basis = basis;
        Rank = rank;
        Options = options.Clone();
        int items = train.ItemCount;
        var degrees = train.ItemDegrees();
        _byUser = GraphFilterScorer.Normalized(train, options.UserNormalization);
        _byItem = _byUser.Transpose(items);

        _inputScale = Powers(degrees, -options.InputNormalization);
        _outputScale = Powers(degrees, options.OutputNormalization ?? options.InputNormalization);
        _polynomial = [.. options.Polynomial];
        _chebyshev = [.. options.ChebyshevCoefficients];
        _sharpening = options.SharpeningTime > 0 ? SpectralResponse.RungeKutta4Step(options.SharpeningTime / options.SharpeningSteps) : [];
        _sharpeningSteps = options.SharpeningSteps;

        _idealUserDegree = options.IdealUserDegreeExponent;
        _meanUserDegree = MeanUserDegree(train);
        _idealInput = new float[basis.Length];
        if (rank > 0 && options.Alpha != 0)
        {
            var idealIn = Powers(degrees, -options.IdealNormalization);
            var idealOut = Powers(degrees, options.IdealNormalization);
            var output = new float[basis.Length];
            for (int i = 0; i < items; i++)
            {
                var row = basis.AsSpan(i * rank, rank);
                TensorPrimitives.Multiply(row, idealIn[i], _idealInput.AsSpan(i * rank, rank));
                TensorPrimitives.Multiply(row, (float)(options.Alpha * idealOut[i]), output.AsSpan(i * rank, rank));
            }

            // Lives with the scorer: [items, k] to add to a block's columns, or [k, items] to add to rows of scores.
            using var scope = NewDisposeScope();
            var ideal = tensor(output, [items, rank]);
            if (_sharpening.Length > 0)
            {
                _idealOutput = ideal.DetachFromDisposeScope();
            }
            else
            {
                _idealBack = ideal.t().contiguous().DetachFromDisposeScope();
            }
        }
    }

    /// <summary>The options it applies (a copy).</summary>
    public SpectralFilterOptions Options { get; }

    /// <summary>k, the number of singular vectors kept (0 when α = 0).</summary>
    public int Rank { get; }

    /// <summary>V_k, the top right singular vectors of R̃, row-major <c>[items, Rank]</c>: what a model file keeps.</summary>
    public ReadOnlySpan<float> Basis => _basis;

    /// <summary>The training interactions the filter was built from.</summary>
    public Interactions Train => _train;

    /// <inheritdoc />
    public int ItemCount => _train.ItemCount;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users) => ScoreRows(IRowScorer.TrainingRows(_train, users));

    /// <inheritdoc />
    /// <remarks><see cref="BlocksPerBatch"/> whole blocks.</remarks>
    public int UsersPerBatch => BlockWidth * BlocksPerBatch;

    /// <inheritdoc />
    public Tensor ScoreRows(IReadOnlyList<int[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var scope = NewDisposeScope();
        var result = empty([rows.Count, ItemCount], ScalarType.Float32);
        ScoreRowsInto(rows, result);
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Whole rows are written in place; a block of items (which an evaluation does not ask of this scorer) is cut from whole rows.</remarks>
    public void ScoreInto(ReadOnlySpan<int> users, int firstItem, int itemCount, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (firstItem != 0 || itemCount != ItemCount)
        {
            using var scope = NewDisposeScope();
            scores.copy_(Score(users).narrow(1, firstItem, itemCount));
            return;
        }

        ScoreRowsInto(IRowScorer.TrainingRows(_train, users), scores);
    }

    /// <summary>The scores of <paramref name="rows"/> into <paramref name="scores"/>, a contiguous float32 CPU <c>[rows.Count, ItemCount]</c>.</summary>
    private unsafe void ScoreRowsInto(IReadOnlyList<int[]> rows, Tensor scores)
    {
        int count = rows.Count, items = ItemCount;
        // The blocks' buffers are kept for the next call rather than left to the collector.
        var block = _blocks.TryTake(out var kept) ? kept : new Block(items, _train.UserCount, BlockWidth);
        var first = (float*)SparseProduct.Address(scores);   // written in place, not copied in
        for (int start = 0; start < count; start += BlockWidth)
        {
            int width = Math.Min(BlockWidth, count - start);
            fixed (float* filtered = ScoreBlock(rows, start, width, block))
            {
                BlockTranspose.ColumnsToRows(filtered, width, width, items, first + ((long)start * items));
            }
        }

        _blocks.Add(block);
        if (_idealBack is not null)
        {
            using var scope = NewDisposeScope();
            scores.addmm_(tensor(Projected(rows, 0, rows.Count, transposed: false), [count, Rank]), _idealBack);
        }
    }

    /// <inheritdoc />
    public float[] ItemSimilarities(int item)
    {
        using var scope = NewDisposeScope();
        using var values = ScoreRows([[item]]).data<float>();
        return values.ToArray();
    }

    /// <summary>
    /// The ideal term as embeddings whose dot products are its scores before the weight α (n_u / n̄)^ρ: users <c>r_u ∘ d^-γ V_k</c>, items
    /// the rows of <c>d^γ V_k</c>.
    /// </summary>
    public (float[] Users, float[] Items) SpectralEmbeddings()
    {
        int users = _train.UserCount, items = ItemCount, rank = Rank;
        var userRows = new float[users * rank];
        for (int u = 0; u < users; u++)
        {
            var target = userRows.AsSpan(u * rank, rank);
            foreach (int item in _train.ItemsOf(u))
            {
                TensorPrimitives.Add(target, _idealInput.AsSpan(item * rank, rank), target);
            }
        }

        var itemRows = new float[items * rank];
        var idealOut = Powers(_train.ItemDegrees(), Options.IdealNormalization);
        for (int i = 0; i < items; i++)
        {
            TensorPrimitives.Multiply(_basis.AsSpan(i * rank, rank), idealOut[i], itemRows.AsSpan(i * rank, rank));
        }

        return (userRows, itemRows);
    }

    /// <summary>
    /// The filtered block <c>[items, width]</c> of rows <c>start .. start + width</c>, in one of <paramref name="block"/>'s
    /// buffers; the ideal term is in it only when there is sharpening.
    /// </summary>
    private Span<float> ScoreBlock(IReadOnlyList<int[]> rows, int start, int width, Block block)
    {
        int items = ItemCount, length = items * width;
        var input = block.Input.AsSpan(0, length);
        ScaleInput(rows, start, width, input);
        var result = block.Result[..length];
        if (_chebyshev.Length > 0)
        {
            ChebyshevRecurrence(rows, start, input, result, width, block, terms: null);
        }
        else
        {
            ApplyPolynomial(_polynomial, input, result, width, block, rows, start);
        }

        for (int i = 0; i < items; i++)
        {
            var row = result.Slice(i * width, width);
            TensorPrimitives.Multiply(row, _outputScale[i], row);
        }

        if (_idealOutput is not null)
        {
            using var scope = NewDisposeScope();
            block.ResultTensor(width).addmm_(_idealOutput, tensor(Projected(rows, start, width, transposed: true), [Rank, width]));
        }

        for (int step = 0; step < _sharpeningSteps && _sharpening.Length > 0; step++)
        {
            result.CopyTo(input);
            ApplyPolynomial(_sharpening, input, result, width, block);
        }

        return result;
    }

    /// <summary>The block's input <c>r ∘ d^-β</c>, <c>[items, width]</c>, one column per row.</summary>
    private void ScaleInput(IReadOnlyList<int[]> rows, int start, int width, Span<float> input)
    {
        input.Clear();
        for (int b = 0; b < width; b++)
        {
            foreach (int item in rows[start + b])
            {
                input[(item * width) + b] = _inputScale[item];
            }
        }
    }

    /// <summary>
    /// <c>result = Σ_j c_j P^j x</c> by Horner's rule (x is left as it was); with <paramref name="inputRows"/>, x is the
    /// block's input of those rows from <paramref name="start"/>, and its first product is taken as <c>c_K (P x)</c> from them.
    /// </summary>
    private void ApplyPolynomial(double[] coefficients, Span<float> x, Span<float> result, int width, Block block, IReadOnlyList<int[]>? inputRows = null, int start = 0)
    {
        TensorPrimitives.Multiply(x, (float)coefficients[^1], result);
        for (int j = coefficients.Length - 2; j >= 0; j--)
        {
            var product = block.Product.AsSpan(0, result.Length);
            if (inputRows is not null && j == coefficients.Length - 2)
            {
                MultiplyInputByGraph(inputRows, start, width, product, block);
                TensorPrimitives.Multiply(product, (float)coefficients[^1], product);
            }
            else
            {
                MultiplyByGraph(result, product, width, block);
            }

            TensorPrimitives.MultiplyAdd(x, (float)coefficients[j], product, result);
        }
    }


    /// <summary>
    /// The terms <c>T_k(L̃)(r ∘ d^-β)</c>, k = 0 .. K (K + 1 the length of the options' Chebyshev coefficients, whose
    /// values are not used), of rows <c>start .. start + width</c>, each <c>[items, width]</c> into <c>terms[k]</c>: any
    /// response of order up to K is a combination of them, so that a search over responses pays K products with P once.
    /// </summary>
    internal void ChebyshevTerms(IReadOnlyList<int[]> rows, int start, int width, float[][] terms)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(terms);
        if (_chebyshev.Length == 0 || terms.Length != _chebyshev.Length || terms.Any(t => t.Length < ItemCount * width))
        {
            throw new ArgumentException($"Give {_chebyshev.Length} term buffers of at least {ItemCount} x {width} floats (a filter in Chebyshev form).", nameof(terms));
        }

        var block = _blocks.TryTake(out var kept) ? kept : new Block(ItemCount, _train.UserCount, BlockWidth);
        var input = block.Input.AsSpan(0, ItemCount * width);
        ScaleInput(rows, start, width, input);
        ChebyshevRecurrence(rows, start, input, block.Result[..input.Length], width, block, terms);
        _blocks.Add(block);
    }

    /// <summary>
    /// The Chebyshev recurrence, L̃ = I − 2P, <c>T_k = 2 L̃ T_{k-1} − T_{k-2}</c>, on the block's input x of rows
    /// <c>start .. start + width</c>: with <paramref name="terms"/> null, <c>result = Σ_k c_k T_k(L̃) x</c>; otherwise each
    /// <c>T_k(L̃) x</c> copied to <c>terms[k]</c> (and result left undefined).
    /// </summary>
    private void ChebyshevRecurrence(IReadOnlyList<int[]> rows, int start, Span<float> x, Span<float> result, int width, Block block, float[][]? terms)
    {
        int length = result.Length;
        TensorPrimitives.Multiply(x, (float)_chebyshev[0], result);
        if (terms is not null)
        {
            x.CopyTo(terms[0]);
        }
        if (_chebyshev.Length == 1)
        {
            return;
        }

        var previous = block.Previous.AsSpan(0, length);
        var current = block.Current.AsSpan(0, length);
        var product = block.Product.AsSpan(0, length);
        x.CopyTo(previous);
        MultiplyInputByGraph(rows, start, width, product, block);
        TensorPrimitives.MultiplyAdd(product, -2f, x, current);           // T_1 x = x − 2 P x
        Accumulate(current, _chebyshev[1], result, terms?[1]);
        for (int k = 2; k < _chebyshev.Length; k++)
        {
            MultiplyByGraph(current, product, width, block);
            // T_k x = 2 (T_{k-1} x − 2 P T_{k-1} x) − T_{k-2} x, written over T_{k-2} x.
            TensorPrimitives.MultiplyAdd(product, -2f, current, product);   // L̃ T_{k-1} x
            TensorPrimitives.Multiply(product, 2f, product);
            TensorPrimitives.Subtract(product, previous, previous);
            var swap = previous;
            previous = current;
            current = swap;
            Accumulate(current, _chebyshev[k], result, terms?[k]);
        }
    }

    /// <summary><c>result += c · term</c>, or the term copied to <paramref name="kept"/> when one is given.</summary>
    private static void Accumulate(ReadOnlySpan<float> term, double coefficient, Span<float> result, float[]? kept)
    {
        if (kept is null)
        {
            TensorPrimitives.MultiplyAdd(term, (float)coefficient, result, result);
        }
        else
        {
            term.CopyTo(kept);
        }
    }

    /// <summary>
    /// <c>y = P x</c> for the block's input <c>x = r ∘ d^-β</c> of rows <c>start .. start + width</c> (<see cref="ScaleInput"/>):
    /// R̃ x from the rows' items alone, where x is not zero, then R̃ᵀ.
    /// </summary>
    private void MultiplyInputByGraph(IReadOnlyList<int[]> rows, int start, int width, Span<float> y, Block block)
    {
        var users = block.Users;
        Array.Clear(users, 0, _train.UserCount * width);   // the other products leave it full
        GraphFilterScorer.FirstHopByItem(_byItem, rows, start, width, _inputScale, users, width, undo: false);
        CsrKernel.MultiplyRectangular(_byItem, users.AsSpan(0, _train.UserCount * width), _train.UserCount, y, width);
    }

    /// <summary><c>y = P x = R̃ᵀ (R̃ x)</c> for x, y <c>[items, width]</c>.</summary>
    private void MultiplyByGraph(ReadOnlySpan<float> x, Span<float> y, int width, Block block)
    {
        var users = block.Users.AsSpan(0, _train.UserCount * width);
        CsrKernel.MultiplyRectangular(_byUser, x, ItemCount, users, width);
        CsrKernel.MultiplyRectangular(_byItem, users, _train.UserCount, y, width);
    }

    /// <summary>
    /// <c>(n_u / n̄)^ρ · (r ∘ d^-γ) V_k</c> for rows <c>start .. start + count</c>: as rows <c>[count, k]</c>, or as
    /// columns <c>[k, count]</c> when <paramref name="transposed"/>.
    /// </summary>
    private float[] Projected(IReadOnlyList<int[]> rows, int start, int count, bool transposed)
    {
        int rank = Rank;
        var projected = new float[rank * count];
        var row = new float[rank];
        for (int b = 0; b < count; b++)
        {
            Array.Clear(row);
            var items = rows[start + b];
            foreach (int item in items)
            {
                TensorPrimitives.Add(row, _idealInput.AsSpan(item * rank, rank), row);
            }

            if (_idealUserDegree != 0)
            {
                TensorPrimitives.Multiply(row, IdealUserWeight(items.Length, _meanUserDegree, _idealUserDegree), row);
            }

            if (transposed)
            {
                for (int c = 0; c < rank; c++)
                {
                    projected[(c * count) + b] = row[c];
                }
            }
            else
            {
                row.CopyTo(projected.AsSpan(b * rank, rank));
            }
        }

        return projected;
    }

    /// <summary>n̄, the mean number of items of <paramref name="train"/>'s users who have any (1 when none has).</summary>
    internal static double MeanUserDegree(Interactions train)
    {
        int active = Enumerable.Range(0, train.UserCount).Count(u => train.CountOf(u) > 0);
        return active == 0 ? 1 : (double)train.Count / active;
    }

    /// <summary>The ideal term's weight relative to α for a user with <paramref name="items"/> items, <c>(n / n̄)^ρ</c>; 1 for a user with none (its term is 0).</summary>
    internal static float IdealUserWeight(int items, double meanUserDegree, double exponent) =>
        items == 0 || exponent == 0 ? 1f : (float)Math.Pow(items / meanUserDegree, exponent);

    /// <summary><c>d^power</c> per item, 0 for an item without interactions.</summary>
    private static float[] Powers(int[] degrees, double power) =>
        Array.ConvertAll(degrees, d => d == 0 ? 0f : (float)Math.Pow(d, power));

    public void Dispose()
    {
        _idealOutput?.Dispose();
        _idealBack?.Dispose();
        while (_blocks.TryTake(out var block))
        {
            block.Dispose();
        }
    }

    /// <summary>The buffers a block reuses from call to call.</summary>
    private sealed class Block : IDisposable
    {
        private readonly int _items;
        private readonly Tensor _result;   // native, so that the ideal term is added into it in place

        public Block(int items, int users, int width)
        {
            _items = items;
            Input = new float[items * width];
            Product = new float[items * width];
            Previous = new float[items * width];
            Current = new float[items * width];
            Users = new float[users * width];
            _result = empty([items * width], ScalarType.Float32).DetachFromDisposeScope();
        }

        public float[] Input { get; }

        /// <summary>The block's result as a span: <see cref="ResultTensor"/>'s memory.</summary>
        public Span<float> Result => MemoryMarshal.Cast<byte, float>(_result.bytes);

        /// <summary>The first <c>items x width</c> values of the result as an <c>[items, width]</c> tensor (a view).</summary>
        public Tensor ResultTensor(int width) => _result.narrow(0, 0, (long)_items * width).view(_items, width);

        public void Dispose() => _result.Dispose();

        public float[] Product { get; }

        public float[] Previous { get; }

        public float[] Current { get; }

        public float[] Users { get; }
    }
}
