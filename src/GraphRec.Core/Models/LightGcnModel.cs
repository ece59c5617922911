using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// LightGCN (He et al., SIGIR 2020): one embedding table for users and items, propagated K times over Â and averaged.
/// <code>
///   E(0)  = [E_users; E_items]                      learned, initialised N(0, σ²), σ = 0.1
///   E(k)  = Â E(k-1),  k = 1..K                      (LightGcnConv)
///   E     = Σ_{k=0..K} α_k E(k),   α_k = 1/(K+1) by default
///   ŷ_ui  = e_u · e_i
/// </code>
/// A visitor v the model never trained on, with items I, is folded in as one more user row of Â would be, the items'
/// embeddings and degrees d_i as trained (<see cref="FoldInBasis"/>):
/// <code>
///   e_v(k) = Σ_{i∈I} e_i(k-1) / sqrt(|I| d_i),  k = 1..K          (Â's row for v times E(k-1))
///   e_v(0) = (1/|I|) Σ_{i∈I} e_i(0)                                 (no trained embedding: the items' mean)
///   e_v    = Σ_k α_k e_v(k)  =  Σ_{i∈I} [ α_0 e_i(0) / |I|  +  F_i / sqrt(|I| d_i) ],   F = Σ_{k=0..K-1} α_{k+1} E_items(k)
/// </code>
/// The model lives on the device of its adjacency; move both together.
/// </summary>
public sealed class LightGcnModel : nn.Module
{
    private readonly LightGcnOptions _options;
    private readonly PropagationBackend _backend;
    private readonly LightGcnConv _conv;
    private readonly float[] _layerWeights;
    private bool _disposed;

    /// <summary>Creates the model, initialising the embeddings from a generator seeded with <see cref="LightGcnOptions.Seed"/>.</summary>
    /// <param name="adjacency">Â of the training interactions; its node counts fix the number of users and items.</param>
    /// <param name="options">Hyperparameters (copied); the defaults when null.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LightGcnModel(NormalizedAdjacency adjacency, LightGcnOptions? options = null)
        : this(adjacency, options, PropagationBackend.For(adjacency ?? throw new ArgumentNullException(nameof(adjacency))))
    {
    }

    /// <summary>The model with the products of <paramref name="backend"/>, which it owns (tests compare backends this way).</summary>
    internal LightGcnModel(NormalizedAdjacency adjacency, LightGcnOptions? options, PropagationBackend backend)
        : base(nameof(LightGcnModel))
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        _backend = backend;
        _options = (options ?? new LightGcnOptions()).Clone();
        _options.Validate();
        _options.RequireMemoryFor(adjacency.NodeCount, training: false);
        _layerWeights = _options.ResolveLayerWeights();
        Adjacency = adjacency;
        _conv = new LightGcnConv(backend, ownsBackend: false);
        using (var scope = NewDisposeScope())
        {
            using var generator = new Generator((ulong)(long)_options.Seed);
            var initial = randn([adjacency.NodeCount, _options.EmbeddingDimension], generator: generator).Times(_options.InitStandardDeviation);
            Embedding = nn.Parameter(initial.to(adjacency.Device).MoveToOuterDisposeScope());
        }

        RegisterComponents();
    }

    /// <summary>The hyperparameters it was built with: a copy, so that changing it changes nothing in the model.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed (so for every public member below).</exception>
    public LightGcnOptions Options => NotDisposed(_options).Clone();

    /// <summary>Â, shared with the caller (not disposed with the model).</summary>
    public NormalizedAdjacency Adjacency { get => NotDisposed(field); }

    /// <summary>Number of users.</summary>
    public int UserCount => Adjacency.UserCount;

    /// <summary>Number of items.</summary>
    public int ItemCount => Adjacency.ItemCount;

    /// <summary>The layer-0 embeddings E(0), users first, shape <c>[UserCount + ItemCount, dim]</c>.</summary>
    public Parameter Embedding { get => NotDisposed(field); }

    /// <summary>How its products are computed (training takes the CPU kernel's faster step through it).</summary>
    internal PropagationBackend Backend => _backend;

    /// <summary>The layer weights α_0 .. α_K in use.</summary>
    public IReadOnlyList<float> LayerWeights => NotDisposed(_layerWeights);

    /// <summary>Computes the final embeddings <c>E = Σ α_k E(k)</c> and splits them into users and items.</summary>
    public (Tensor Users, Tensor Items) Propagate()
    {
        using var scope = NewDisposeScope();
        var parts = PropagateNodes().split([UserCount, ItemCount]);
        return (parts[0].MoveToOuterDisposeScope(), parts[1].MoveToOuterDisposeScope());
    }

    /// <summary>Computes the final embeddings <c>E = Σ α_k E(k)</c> of all nodes, users first, shape <c>[UserCount + ItemCount, dim]</c>.</summary>
    /// <remarks>This loop is the formula above, on every device; each step is <see cref="LightGcnConv"/>'s product.</remarks>
    public Tensor PropagateNodes()
    {
        using var scope = NewDisposeScope();
        Tensor layer = Embedding;                              // E(0)
        Tensor sum = Embedding.Times(_layerWeights[0]);       // α_0 E(0)
        for (int k = 1; k < _layerWeights.Length; k++)
        {
            layer = _conv.forward(layer);                      // E(k) = Â E(k-1)
            sum = sum.Plus(layer.Times(_layerWeights[k]));    // + α_k E(k)
        }

        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The rows <paramref name="nodes"/> of <see cref="PropagateNodes"/> (users first, then items offset by
    /// <see cref="UserCount"/>; repeats allowed), shape <c>[nodes.Length, dim]</c>: what a training batch needs.
    /// </summary>
    /// <remarks>
    /// On the CPU a backend computes them faster than the loop: the powers and the weighted sum in one pass of the kernel,
    /// the last product for these rows only, and a backward that is the same pass over the gradient (the layer sum is a
    /// polynomial in the symmetric Â). A test checks it against the loop with libtorch's product, forward and backward.
    /// Elsewhere it is the loop, gathered.
    /// </remarks>
    public Tensor PropagateRows(int[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (_backend.PropagateRows(Embedding, _layerWeights, nodes) is { } rows)
        {
            return rows;
        }

        using var scope = NewDisposeScope();
        return PropagateNodes().index_select(0, tensor(nodes, device: Embedding.device).to_type(ScalarType.Int64)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The step that trains this model on a batch: the gradient of a loss at <see cref="PropagateRows"/> and E(0), and
    /// Adam's step. Autograd through the formulas above (<see cref="AutogradTrainingStep"/>), unless the backend computes
    /// the same step faster (on the CPU, its kernel).
    /// With <paramref name="historyRefreshesPerEpoch"/> above 0, the step that trains on historical layers instead
    /// (<see cref="Kernels.HistoricalTrainingStep"/>, <see cref="LightGcnOptions.HistoryRefreshesPerEpoch"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="precision"/> or the historical step is not available for this model's type and device.</exception>
    internal ITrainingStep CreateTrainingStep(double learningRate, TrainingPrecision precision, int historyRefreshesPerEpoch = 0) =>
        historyRefreshesPerEpoch > 0
            ? Kernels.HistoricalTrainingStep.For(this, learningRate, historyRefreshesPerEpoch) ?? throw new ArgumentException(
                $"{nameof(LightGcnOptions)}.{nameof(LightGcnOptions.HistoryRefreshesPerEpoch)} = {historyRefreshesPerEpoch} needs a float32 model on the CPU; this one is {Embedding.dtype} on {Embedding.device}. Use 0 (exact training) here.")
            : _backend.CreateTrainingStep(this, learningRate, precision);

    /// <summary>
    /// The two item matrices a fold-in (the class summary) sums rows of: <c>α_0 E_items(0)</c> and
    /// <c>F = Σ_{k=0..K-1} α_{k+1} E_items(k)</c>, each <c>[ItemCount, dim]</c>, without gradients.
    /// </summary>
    internal (Tensor Own, Tensor Propagated) FoldInBasis()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor layer = Embedding.detach();                     // E(0)
        var own = layer[UserCount..].Times(_layerWeights[0]);
        var propagated = zeros_like(own);
        for (int k = 1; k < _layerWeights.Length; k++)
        {
            propagated = propagated.Plus(layer[UserCount..].Times(_layerWeights[k]));   // + α_k E_items(k-1)
            if (k < _layerWeights.Length - 1)
            {
                layer = _conv.forward(layer);                                    // E(k) = Â E(k-1)
            }
        }

        return (own.MoveToOuterDisposeScope(), propagated.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            _backend.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// <paramref name="value"/>, or <see cref="ObjectDisposedException"/> once the model is disposed: its tensors are
    /// freed, and TorchSharp would say only "Tensor invalid -- empty handle".
    /// </summary>
    private T NotDisposed<T>(T value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return value;
    }

    /// <summary>Scores <c>ŷ_ui = e_u · e_i</c> for parallel index tensors of users and items, from final embeddings.</summary>
    public static Tensor Score(Tensor userEmbeddings, Tensor itemEmbeddings, Tensor users, Tensor items)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        return (userEmbeddings.index_select(0, users) * itemEmbeddings.index_select(0, items)).sum(1);
    }
}
