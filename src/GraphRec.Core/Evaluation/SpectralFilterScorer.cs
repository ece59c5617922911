using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// so that each product with P is two CSR products, R̃ by user then R̃ᵀ by item (<see cref="CsrKernel.MultiplyRectangular"/>;
/// the Chebyshev recurrence's steps are made in R̃ᵀ's rows as it hands them over), each non-zero streaming one short row
/// of the block; the first product, of the sparse input, takes R̃ x from
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
    /// <c>T_k(L̃) x</c> copied to <c>terms[k]</c> (and result left undefined). x is overwritten: the recurrence keeps its
    /// terms in it and in one block buffer, in turns.
    /// </summary>
    private unsafe void ChebyshevRecurrence(IReadOnlyList<int[]> rows, int start, Span<float> x, Span<float> result, int width, Block block, float[][]? terms)
    {
        if (terms is not null)
        {
            x.CopyTo(terms[0]);
        }

        if (_chebyshev.Length == 1)
        {
            TensorPrimitives.Multiply(x, (float)_chebyshev[0], result);
            return;
        }

        // x takes the terms in turns with `current` from here on: the block's input is not read again.
        var previous = x;
        var current = block.Current.AsSpan(0, result.Length);
        fixed (float* input = x, c = current, r = result, kept = terms?[1])
        {
            CsrKernel.MultiplyRectangularRowsTo(_byItem, FirstHop(rows, start, width, block), _train.UserCount, width,
                ChebyshevStep.First(input, c, kept != null ? kept : r, kept != null, (float)_chebyshev[0], (float)_chebyshev[1], width));
        }

        var users = block.Users.AsSpan(0, _train.UserCount * width);
        for (int k = 2; k < _chebyshev.Length; k++)
        {
            // T_k x = 2 (T_{k-1} x − 2 P T_{k-1} x) − T_{k-2} x, written over T_{k-2} x row by row as R̃ᵀ's product
            // makes the rows of P T_{k-1} x, and added to the result while each row is in cache.
            CsrKernel.MultiplyRectangular(_byUser, current, ItemCount, users, width);
            fixed (float* c = current, p = previous, r = result, kept = terms?[k])
            {
                CsrKernel.MultiplyRectangularRowsTo(_byItem, users, _train.UserCount, width, ChebyshevStep.Next(c, p, kept != null ? kept : r, kept != null, (float)_chebyshev[k], width));
            }

            var swap = previous;
            previous = current;
            current = swap;
        }
    }

    /// <summary>
    /// One step of <see cref="ChebyshevRecurrence"/> on each row i that the product hands over, <c>y = (P T_{k-1} x)_i</c>:
    /// <code>
    ///   k = 1:  T_1 x_i = x_i − 2y                              into <c>current</c>;  result_i = c_0 x_i + c_1 T_1 x_i
    ///   k ≥ 2:  T_k x_i = 2 (T_{k-1} x_i − 2y) − T_{k-2} x_i      over T_{k-2} x_i;     result_i += c_k T_k x_i
    /// </code>
    /// (with <c>keep</c>, the target gets <c>T_k x_i</c> instead of the result), each value the same sequence of float
    /// operations as whole-block passes would make.
    /// </summary>
    /// <remarks>
    /// Owned because measured: as whole-block passes after each product, on one thread, these operations took 7.8 s of
    /// ChebyCF's 41 s evaluation on Gowalla, reading and writing blocks of 10 MB that no longer sat in cache.
    /// </remarks>
    private readonly unsafe struct ChebyshevStep(float* last, float* beforeLast, float* into, float* target, bool keep, float coefficient, float zeroth, int width) : IRowSink
    {
        /// <summary>k = 1, from the input x: <c>T_1 x</c> into <paramref name="current"/>, <c>c_0 x + c_1 T_1 x</c> (or <c>T_1 x</c>) into <paramref name="target"/>.</summary>
        public static ChebyshevStep First(float* x, float* current, float* target, bool keep, float zeroth, float first, int width) =>
            new(x, null, current, target, keep, first, zeroth, width);

        /// <summary>k ≥ 2: <c>T_k x</c> over <paramref name="previous"/> (<c>T_{k-2} x</c>), added times c_k into <paramref name="target"/> (or copied there).</summary>
        public static ChebyshevStep Next(float* current, float* previous, float* target, bool keep, float coefficient, int width) =>
            new(current, previous, previous, target, keep, coefficient, 0, width);

        public void Accept(int row, Span<float> values)
        {
            long at = (long)row * width;
            float* lastRow = last + at, intoRow = into + at, targetRow = target + at;
            float* beforeLastRow = beforeLast == null ? null : beforeLast + at;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var minusTwo = Vector256.Create(-2f);
                var two = Vector256.Create(2f);
                var scale = Vector256.Create(coefficient);
                var scaleOfInput = Vector256.Create(zeroth);
                fixed (float* y = values)
                {
                    for (; i <= width - Vector256<float>.Count; i += Vector256<float>.Count)
                    {
                        var next = (Vector256.Load(y + i) * minusTwo) + Vector256.Load(lastRow + i);
                        if (beforeLastRow != null)
                        {
                            next = (next * two) - Vector256.Load(beforeLastRow + i);
                        }

                        next.Store(intoRow + i);
                        var kept = beforeLastRow == null ? Vector256.Load(lastRow + i) * scaleOfInput : Vector256.Load(targetRow + i);
                        (keep ? next : (next * scale) + kept).Store(targetRow + i);
                    }
                }
            }

            for (; i < width; i++)
            {
                float next = (values[i] * -2f) + lastRow[i];
                if (beforeLastRow != null)
                {
                    next = (next * 2f) - beforeLastRow[i];
                }

                intoRow[i] = next;
                float kept = beforeLastRow == null ? lastRow[i] * zeroth : targetRow[i];
                targetRow[i] = keep ? next : (next * coefficient) + kept;
            }
        }

        public void Prefetch(int row)
        {
            long at = (long)row * width;
            CsrKernel.Prefetch(last + at, width);
            CsrKernel.Prefetch(into + at, width);
            CsrKernel.Prefetch(target + at, width);
        }

        public void Complete()
        {
        }
    }

    /// <summary>
    /// <c>y = P x</c> for the block's input <c>x = r ∘ d^-β</c> of rows <c>start .. start + width</c> (<see cref="ScaleInput"/>):
    /// R̃ x from the rows' items alone, where x is not zero, then R̃ᵀ.
    /// </summary>
    private void MultiplyInputByGraph(IReadOnlyList<int[]> rows, int start, int width, Span<float> y, Block block) =>
        CsrKernel.MultiplyRectangular(_byItem, FirstHop(rows, start, width, block), _train.UserCount, y, width);

    /// <summary><c>R̃ x</c>, <c>[users, width]</c>, for the block's input x of rows <c>start .. start + width</c>, from the rows' items alone.</summary>
    private Span<float> FirstHop(IReadOnlyList<int[]> rows, int start, int width, Block block)
    {
        var users = block.Users.AsSpan(0, _train.UserCount * width);
        users.Clear();   // the other products leave it full
        GraphFilterScorer.FirstHopByItem(_byItem, rows, start, width, _inputScale, block.Users, width, undo: false);
        return users;
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

        public float[] Current { get; }

        public float[] Users { get; }
    }
}
