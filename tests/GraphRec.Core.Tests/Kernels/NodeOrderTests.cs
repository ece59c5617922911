using GraphRec.Core.Kernels;
using GraphRec.Data;
using Xunit;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public class NodeOrderTests
{
    private static Interactions Train(int seed) => TestGraphs.RandomInteractions(250, 400, 3000, seed);

    [Fact]
    public void The_locality_order_is_a_permutation_that_keeps_users_before_items_and_moves_nodes()
    {
        var train = Train(3);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var order = NodeOrder.CuthillMcKee(adjacency);

        Assert.Equal(Enumerable.Range(0, adjacency.NodeCount), order.SlotOf.Order());
        Assert.All(Enumerable.Range(0, adjacency.NodeCount), node => Assert.Equal(node, order.NodeAt[order.SlotOf[node]]));
        Assert.All(Enumerable.Range(0, adjacency.UserCount), user => Assert.True(order.SlotOf[user] < adjacency.UserCount));
        Assert.True(order.SlotOf.Where((slot, node) => slot != node).Count() > adjacency.NodeCount / 2, "the order leaves most nodes where they are");
    }

    [Fact]
    public void Rows_moved_to_their_slots_hold_the_slots_nodes_and_move_back_unchanged()
    {
        var train = Train(6);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var order = NodeOrder.CuthillMcKee(adjacency);
        const int dim = 3;
        var byNode = Enumerable.Range(0, adjacency.NodeCount * dim).Select(i => (float)i).ToArray();
        var rows = (float[])byNode.Clone();

        order.MoveToSlots(rows, dim);
        for (int slot = 0; slot < adjacency.NodeCount; slot++)
        {
            Assert.Equal(byNode.AsSpan(order.NodeAt[slot] * dim, dim).ToArray(), rows.AsSpan(slot * dim, dim).ToArray());
        }

        order.MoveToNodes(rows, dim);
        Assert.Equal(byNode, rows);
    }

    [Fact]
    public void The_relabelled_matrix_holds_each_entry_at_its_nodes_slots_with_each_row_in_its_original_order()
    {
        var train = Train(4);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var order = NodeOrder.CuthillMcKee(adjacency);
        using var relabelled = adjacency.Relabelled(order);

        for (int node = 0; node < adjacency.NodeCount; node++)
        {
            int slot = order.SlotOf[node];
            var original = Enumerable.Range(adjacency.RowPointers[node], adjacency.RowPointers[node + 1] - adjacency.RowPointers[node]);
            var moved = Enumerable.Range(relabelled.RowPointers[slot], relabelled.RowPointers[slot + 1] - relabelled.RowPointers[slot]);
            Assert.Equal(original.Select(k => (order.SlotOf[adjacency.Columns[k]], adjacency.Values[k])), moved.Select(k => (relabelled.Columns[k], relabelled.Values[k])));
        }
    }

    [Fact]
    public void Training_in_the_locality_order_leaves_the_embeddings_and_moments_bit_for_bit_as_in_the_nodes_own_order()
    {
        var train = Train(5);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var options = new LightGcnOptions { EmbeddingDimension = 16, Layers = 3, Seed = 7, LearningRate = 0.01 };
        using var inOrder = new LightGcnModel(adjacency, options);
        using var asIs = new LightGcnModel(adjacency, options);
        using var local = KernelTrainingStep.For(inOrder, options.LearningRate)!;
        using var own = KernelTrainingStep.For(asIs, options.LearningRate, inLocalityOrder: false)!;
        var loss = new BprLoss(1e-4);
        var triples = ((ParallelSampler)Samplers.UniformUsers(options.Seed)).Sample(train, 1, reuse: null);

        for (int start = 0; start + 256 <= triples.Count; start += 256)
        {
            var nodes = triples.BatchNodes(start, 256, adjacency.UserCount);
            Assert.Equal(own.Run(loss, nodes, 256), local.Run(loss, nodes, 256));
        }

        local.RestoreNodeOrder();
        using var scope = NewDisposeScope();
        using var initial = new LightGcnModel(adjacency, options);
        Assert.False(inOrder.Embedding.equal(initial.Embedding).all().item<bool>(), "training did not move the embeddings");
        Assert.True(inOrder.Embedding.equal(asIs.Embedding).all().item<bool>(), "the embeddings differ");
        var (first, second, step) = local.ExportState();
        var (ownFirst, ownSecond, ownStep) = own.ExportState();
        Assert.Equal(ownFirst, first);
        Assert.Equal(ownSecond, second);
        Assert.Equal(ownStep, step);
    }
}
