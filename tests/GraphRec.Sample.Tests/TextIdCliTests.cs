using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Sample.Tests;

/// <summary>
/// <c>recommend</c> and <c>similar</c> on a model trained on text ids (customer codes, SKUs): every id on the command
/// line is taken as given, and what is shown names the items by their SKUs.
/// </summary>
public sealed class TextIdCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-text-cli-").FullName;
    private readonly CapturedConsole _console = new();

    public void Dispose()
    {
        _console.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A GF-CF model over 20 customers <c>cust-00</c>.. and 12 items <c>SKU-0040</c>.. in two taste groups.</summary>
    private async Task<(string Path, SpectralFilter Model)> TextIdModelAsync()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 20).Select(u => Enumerable.Range(u < 10 ? 0 : 6, 6).Where(_ => random.NextDouble() < 0.7).ToArray()).ToArray();
        var pointers = new int[21];
        for (int u = 0; u < 20; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Length;
        }

        var interactions = new Interactions(20, 12, pointers, [.. rows.SelectMany(r => r)]);
        var dataset = new InteractionDataset("shop", new IdMap(Enumerable.Range(0, 20).Select(u => $"cust-{u:00}")),
            new IdMap(Enumerable.Range(40, 12).Select(i => $"SKU-{i:0000}")), interactions, null, new LoadReport(interactions.Count, 0, 0, 0, []));
        var model = SpectralFilter.Fit(dataset, new DatasetSplit(interactions, null, interactions, 0), new SpectralFilterOptions { Rank = 3 });
        string path = Path.Combine(_folder, "shop.graphrec");
        await model.SaveAsync(path);
        return (path, model);
    }

    [Fact]
    public async Task Recommend_similar_and_a_visitors_items_work_by_the_text_ids_as_given()
    {
        var (path, model) = await TextIdModelAsync();
        using (model)
        {
            Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", path, "--user", "cust-07", "--k", "3"]));
            string recommended = _console.Shown;
            Assert.All(model.Recommend("cust-07", 3), r => Assert.Contains(r.ItemId, recommended, StringComparison.Ordinal));
            Assert.Contains("user cust-07:", recommended, StringComparison.Ordinal);

            Assert.Equal(0, await Cli.RunAsync(["recommend", "--model", path, "--items", "SKU-0042, SKU-0043", "--k", "2"]));
            Assert.All(model.RecommendForItems(["SKU-0042", "SKU-0043"], 2).Items, r => Assert.Contains(r.ItemId, _console.Shown, StringComparison.Ordinal));

            Assert.Equal(0, await Cli.RunAsync(["similar", "--model", path, "--item", "SKU-0050", "--k", "2"]));
            Assert.Contains("nearest to SKU-0050", _console.Shown, StringComparison.Ordinal);
            Assert.All(model.SimilarItems("SKU-0050", 2), r => Assert.Contains(r.ItemId, _console.Shown, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unknown_text_id_is_one_error_line_that_names_it_as_given()
    {
        var (path, model) = await TextIdModelAsync();
        model.Dispose();
        var errors = new StringWriter();
        var before = Console.Error;
        Console.SetError(errors);
        try
        {
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", path, "--user", "CUST-07"]));
            Assert.Equal(1, await Cli.RunAsync(["similar", "--model", path, "--item", "sku-0050"]));
            Assert.Equal(1, await Cli.RunAsync(["recommend", "--model", path, "--items", "SKU-9,SKU 10"]));
        }
        finally
        {
            Console.SetError(before);
        }

        Assert.Equal(
            [
                "error: The user id \"CUST-07\" is not in the model (trained on shop).",
                "error: The item id \"sku-0050\" is not in the model (trained on shop).",
                "error: None of the item ids \"SKU-9\", \"SKU 10\" is in the model (trained on shop).",
            ],
            errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
