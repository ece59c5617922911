using GraphRec.Core.Kernels;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>Training on historical layers (<see cref="HistoricalTrainingStep"/>) against dense double-precision references.</summary>
public sealed class HistoricalTrainingStepTests
{
    // Batch nodes [users; positives; negatives], items after the users.
    private static readonly int[] Users = [0, 1, 2, 3];

    private static int[] BatchNodes(int userCount, int[] positives, int[] negatives) =>
        [.. Users, .. positives.Select(i => i + userCount), .. negatives.Select(i => i + userCount)];

    /// <summary>Â as a dense double matrix.</summary>
    private static Tensor Dense(NormalizedAdjacency adjacency)
    {
        var dense = zeros(adjacency.NodeCount, adjacency.NodeCount, ScalarType.Float64);
        for (int row = 0; row < adjacency.NodeCount; row++)
        {
            for (int p = adjacency.RowPointers[row]; p < adjacency.RowPointers[row + 1]; p++)
            {
                dense[row, adjacency.Columns[p]] = (double)adjacency.Values[p];
            }
        }

        return dense;
    }

    /// <summary>Σ_{k=first..K} α_k Â^k E(0) in double precision.</summary>
    private static Tensor LayerSum(Tensor dense, Tensor e0, IReadOnlyList<float> weights, int first = 0)
    {
        var sum = zeros_like(e0);
        var layer = e0;
        for (int k = 0; k < weights.Count; k++)
        {
            if (k >= first)
            {
                sum = sum.Plus(layer.Times(weights[k]));
            }

            layer = dense.mm(layer);
        }

        return sum;
    }

    /// <summary>User 0 has every one of 40 items, more than the first hop samples; users 1 to 9 three each.</summary>
    private static NormalizedAdjacency HubGraph() => NormalizedAdjacency.FromInteractions(TestGraphs.FromPairs(10, 40,
        Enumerable.Range(0, 40).Select(i => (0, i)).Concat(Enumerable.Range(1, 9).SelectMany(u => new[] { (u, u), (u, u + 10), (u, 3 * u) }))));

    private static Tensor Float64(Tensor tensor) => tensor.detach().to_type(ScalarType.Float64).clone();

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public void With_the_history_refreshed_at_every_batch_a_batchs_rows_are_the_models_propagated_embeddings(int refreshesPerEpoch, bool fresh)
    {
        using var scope = NewDisposeScope();
        var train = TestGraphs.RandomInteractions(12, 10, 45, seed: 4);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 3, Seed = 3 });
        using var step = HistoricalTrainingStep.For(model, 0.05, refreshesPerEpoch)!;
        int[] nodes = BatchNodes(12, [1, 2, 5, 9], [0, 7, 7, 3]);
        step.BeginEpoch(1, 2);

        step.Run(new BprLoss(), nodes, Users.Length);   // moves E(0): a history from before it is stale
        var want = LayerSum(Dense(adjacency), Float64(model.Embedding), model.LayerWeights).index_select(0, tensor(nodes.Select(n => (long)n).ToArray()));
        var captured = new CapturingLoss();
        step.Run(captured, nodes, Users.Length);

        double worst = (captured.Rows!.view(-1, 4).to_type(ScalarType.Float64) - want).abs().max().item<double>();
        Assert.Equal(fresh, worst < 1e-6);
        Assert.True(fresh || worst > 1e-4, $"a stale history gave rows {worst:E2} from the propagation");
    }

    [Fact]
    public void With_a_stale_history_and_every_first_hop_whole_a_batchs_rows_are_the_current_first_layer_over_the_historical_deeper_ones()
    {
        using var scope = NewDisposeScope();
        var train = TestGraphs.RandomInteractions(12, 10, 45, seed: 4);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        Assert.All(Enumerable.Range(0, adjacency.NodeCount), node =>
            Assert.True(adjacency.RowPointers[node + 1] - adjacency.RowPointers[node] <= HistoricalTrainingStep.FirstHopSample));
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 3, Seed = 3 });
        using var step = HistoricalTrainingStep.For(model, 0.05, refreshesPerEpoch: 1)!;
        int[] nodes = BatchNodes(12, [1, 2, 5, 9], [0, 7, 7, 3]);

        // Batch nodes that are each other's neighbours: their drift is read both as their own row and as a neighbour's.
        var dense = Dense(adjacency);
        Assert.Contains(nodes, v => nodes.Any(u => dense[v, u].item<double>() != 0));
        step.BeginEpoch(1, 2);   // one refresh, before the first batch
        var anchor = Float64(model.Embedding);
        step.Run(new BprLoss(), nodes, Users.Length);   // moves E(0) away from the anchor
        var current = Float64(model.Embedding);
        var weights = model.LayerWeights;
        var index = tensor(nodes.Select(n => (long)n).ToArray());
        var want = current.Times(weights[0]).Plus(dense.mm(current).Times(weights[1])).Plus(LayerSum(dense, anchor, weights, first: 2)).index_select(0, index);
        var allStale = current.Times(weights[0]).Plus(LayerSum(dense, anchor, weights, first: 1)).index_select(0, index);
        var captured = new CapturingLoss();

        step.Run(captured, nodes, Users.Length);

        var rows = captured.Rows!.view(-1, 4).to_type(ScalarType.Float64);
        double worst = (rows - want).abs().max().item<double>();
        double moved = (want - allStale).abs().max().item<double>();
        Assert.True(moved > 1e-4, $"the first layer moved by only {moved:E2}: nothing to check");
        Assert.True(worst < 1e-6, $"rows {worst:E2} from the current first layer over the historical deeper ones (which differ by {moved:E2} from the stale ones)");
    }

    [Fact]
    public void With_a_fresh_history_a_hub_whose_first_hop_is_sampled_still_gets_its_propagated_embedding()
    {
        using var scope = NewDisposeScope();
        using var adjacency = HubGraph();
        Assert.True(adjacency.RowPointers[1] - adjacency.RowPointers[0] > HistoricalTrainingStep.FirstHopSample);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 3, Seed = 3 });
        using var step = HistoricalTrainingStep.For(model, 0.05, refreshesPerEpoch: 1)!;
        int[] nodes = [0, 0, 1, 2, 10, 15, 11, 12, 30, 49, 10, 20];
        step.BeginEpoch(1, 1);
        var want = LayerSum(Dense(adjacency), Float64(model.Embedding), model.LayerWeights).index_select(0, tensor(nodes.Select(n => (long)n).ToArray()));
        var captured = new CapturingLoss();

        step.Run(captured, nodes, 4);

        double worst = (captured.Rows!.view(-1, 4).to_type(ScalarType.Float64) - want).abs().max().item<double>();
        Assert.True(worst < 1e-6, $"rows {worst:E2} from the propagation");
    }

    [Fact]
    public void A_hubs_sampled_first_hop_averages_to_the_current_first_layer_over_the_historical_deeper_ones()
    {
        using var scope = NewDisposeScope();
        using var adjacency = HubGraph();
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 3, Seed = 3 });
        using var step = HistoricalTrainingStep.For(model, 0.5, refreshesPerEpoch: 1)!;
        var dense = Dense(adjacency);
        step.BeginEpoch(1, 100_000);   // one refresh, before the first batch
        var anchor = Float64(model.Embedding);
        int[] moving = [.. Enumerable.Range(0, 10), .. Enumerable.Range(0, 10), .. Enumerable.Range(10, 20), .. Enumerable.Range(30, 20)];
        step.Run(new BprLoss(), moving, 20);   // moves the hub's neighbours away from the anchor
        step.LearningRate = 0;                 // and nothing moves after
        var current = Float64(model.Embedding);
        var weights = model.LayerWeights;
        var want = current.Times(weights[0]).Plus(dense.mm(current).Times(weights[1])).Plus(LayerSum(dense, anchor, weights, first: 2))[0];
        var withoutCorrection = LayerSum(dense, anchor, weights, first: 1)[0].Plus(current[0].Times(weights[0]));

        var sum = zeros(4, ScalarType.Float64);
        const int draws = 10_000;
        for (int draw = 0; draw < draws; draw++)
        {
            var captured = new CapturingLoss();
            step.Run(captured, [0, 1, 2], 1);
            sum = sum.Plus(captured.Rows![0, 0].to_type(ScalarType.Float64));
        }

        double error = (sum.DividedBy((long)draws) - want).abs().max().item<double>();
        double correction = (want - withoutCorrection).abs().max().item<double>();
        Assert.True(correction > 0.01, $"the first layer moved by only {correction:E2}: nothing to estimate");
        Assert.True(error < 0.15 * correction, $"the sampled first hop averages {error:E2} from the current first layer (which moved {correction:E2})");
    }

    [Fact]
    public void The_gradient_of_the_historical_objective_matches_finite_differences_in_double_precision()
    {
        using var scope = NewDisposeScope();
        using var adjacency = NormalizedAdjacency.FromEdges(4, 5, [0, 0, 1, 2, 2, 3, 3], [0, 1, 1, 2, 3, 4, 0]);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 3, Layers = 3, Seed = 11 });
        var loss = new BprLoss(weightDecay: 0.05);
        int[] nodes = BatchNodes(4, [1, 1, 3, 4], [2, 0, 0, 1]);
        var dense = Dense(adjacency);
        var start = Float64(model.Embedding);
        var history = LayerSum(dense, start, model.LayerWeights, first: 2);   // H, fixed: no gradient through it
        using var step = HistoricalTrainingStep.For(model, 0.01, refreshesPerEpoch: 1)!;
        step.BeginEpoch(1, 1);

        step.Run(loss, nodes, Users.Length);

        // Adam's first step leaves m = (1 − β1) g.
        var gradient = tensor(step.ExportState().First, start.shape).to_type(ScalarType.Float64).DividedBy(0.1);
        var index = tensor(nodes.Select(n => (long)n).ToArray());
        float a0 = model.LayerWeights[0], a1 = model.LayerWeights[1];
        double Objective(Tensor e0)
        {
            using var inner = NewDisposeScope();
            var final = e0.Times(a0).Plus(dense.mm(e0).Times(a1)).Plus(history);
            return loss.Compute(final.index_select(0, index).view(3, Users.Length, -1), e0.index_select(0, index).view(3, Users.Length, -1)).item<double>();
        }

        double worst = FiniteDifferences.LargestError(start.clone(), Objective, gradient);
        Assert.True(worst < 1e-5, $"largest difference between the step's gradient and finite differences: {worst:E2}");
        Assert.True(gradient.abs().max().item<double>() > 1e-3, "the gradient is zero");
    }

    [Fact]
    public void The_lazy_adam_leaves_untouched_rows_as_they_were_and_moves_touched_rows_as_adam_does()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var start = randn([6, 8], generator: generator);
        var parameter = nn.Parameter(start.clone());
        using var adam = new FusedAdam(parameter, 0.01);
        int[] rows = [4, 1];
        var reference = nn.Parameter(start.index_select(0, tensor(new long[] { 4, 1 })).clone());
        using var libTorchAdam = new LibTorchAdam(reference, 0.01);   // checked against PyTorch's Adam bit for bit

        for (int step = 0; step < 3; step++)
        {
            // Dense steps first, so that every row has moments a dense step with a zero gradient would still move it by.
            var gradient = randn([6, 8], generator: generator);
            using (var values = gradient.data<float>())
            {
                adam.Step(values.ToArray());
            }

            libTorchAdam.ZeroGradient();
            (reference * gradient.index_select(0, tensor(new long[] { 4, 1 }))).sum().backward();
            libTorchAdam.Step();
        }

        var before = parameter.detach().clone();
        var (firstBefore, secondBefore, _) = adam.ExportState();
        var rowGradients = randn([2, 8], generator: generator);
        adam.StepRows(rows, rowGradients.data<float>().ToArray(), 8);
        libTorchAdam.ZeroGradient();
        (reference * rowGradients).sum().backward();
        libTorchAdam.Step();

        var (first, second, count) = adam.ExportState();
        Assert.Equal(4, count);
        foreach (int row in new[] { 0, 2, 3, 5 })
        {
            Assert.True(parameter[row].equal(before[row]).all().item<bool>(), $"untouched row {row} moved");
            Assert.Equal(firstBefore.AsSpan(row * 8, 8).ToArray(), first.AsSpan(row * 8, 8).ToArray());
            Assert.Equal(secondBefore.AsSpan(row * 8, 8).ToArray(), second.AsSpan(row * 8, 8).ToArray());
        }

        var moved = parameter.detach().index_select(0, tensor(new long[] { 4, 1 }));
        Assert.False(moved.equal(before.index_select(0, tensor(new long[] { 4, 1 }))).all().item<bool>());
        double worst = (moved - reference.detach()).abs().max().item<float>();
        Assert.True(worst < 1e-6, $"touched rows {worst:E2} from Adam on those rows alone");
    }

    [Fact]
    public void Training_on_historical_layers_gives_the_same_embeddings_bit_for_bit_on_one_thread_and_on_several()
    {
        // Batches of 2,048 triples on a graph whose nodes mostly have more than 16 neighbours: thousands of distinct
        // nodes and tens of thousands of sampled edges a batch, above the sizes that the step splits between threads.
        var train = TestGraphs.RandomInteractions(400, 300, 40_000, seed: 5);
        Tensor Train(int threads)
        {
            using var adjacency = NormalizedAdjacency.FromInteractions(train, maxDegreeOfParallelism: threads);
            var options = new LightGcnOptions { EmbeddingDimension = 16, Layers = 3, Seed = 2, Epochs = 2, BatchSize = 2048, LearningRate = 0.01, HistoryRefreshesPerEpoch = 2, Threads = threads };
            using var model = new LightGcnModel(adjacency, options);
            new LightGcnTrainer(options).Train(model, train);
            return model.Embedding.detach().clone();
        }

        using var oneThread = Train(1);
        using var fourThreads = Train(4);

        Assert.True(oneThread.eq(fourThreads).all().item<bool>(), $"largest difference {(oneThread - fourThreads).abs().max().item<float>()}");
    }

    [Fact]
    public void The_historical_mode_on_libtorchs_backend_is_refused_saying_what_to_use()
    {
        var train = TestGraphs.RandomInteractions(12, 10, 45, seed: 4);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var options = new LightGcnOptions { EmbeddingDimension = 4, Layers = 2, Epochs = 1, HistoryRefreshesPerEpoch = 1 };
        using var model = new LightGcnModel(adjacency, options, new TorchSparseBackend(adjacency));

        var error = Assert.Throws<ArgumentException>(() => new LightGcnTrainer(options).Train(model, train));

        Assert.Contains("LightGcnOptions.HistoryRefreshesPerEpoch = 1 needs a float32 model on the CPU", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(1, true)]
    public void A_negative_refresh_count_or_historical_layers_with_bfloat16_layers_is_refused_at_once(int refreshes, bool bfloat16Layers)
    {
        var options = new LightGcnOptions { HistoryRefreshesPerEpoch = refreshes, BFloat16Layers = bfloat16Layers };

        Assert.Contains("LightGcnOptions.HistoryRefreshesPerEpoch", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    /// <summary>Keeps the rows it is given; a loss of zero.</summary>
    private sealed class CapturingLoss : ILoss
    {
        public Tensor? Rows { get; private set; }

        public Tensor Compute(Tensor embeddings, Tensor layer0)
        {
            Rows = embeddings.detach().clone().DetachFromDisposeScope();
            return embeddings.Times(0f).sum();
        }
    }
}
