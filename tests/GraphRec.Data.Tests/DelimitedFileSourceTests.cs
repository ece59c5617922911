using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class DelimitedFileSourceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private static readonly InteractionColumns Columns = new("customer", "sku") { Rating = "stars", Timestamp = "ordered_at" };

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_tab_separated_file_with_integer_ids_gives_integer_maps_and_item_descriptions()
    {
        string tsv = _folder.Write("events.tsv", "user\titem\tname\ttags\n7\t300\tMug\tkitchen|gifts\n12\t300\tMug, blue\tkitchen\n7\t41\t\t\n");

        var dataset = await Build(tsv, new InteractionColumns("user", "item") { Title = "name", Categories = "tags", Delimiter = '\t' });

        Assert.True(dataset.Users.IsNumeric);
        Assert.Equal([7L, 12L], dataset.Users.Ids.Select(long.Parse));
        Assert.Equal(3, dataset.Interactions.Count);
        Assert.Equal("Mug, blue", dataset.GetItemInfo(dataset.Items.GetIndex(300))!.Title); // the latest row's
        Assert.Null(dataset.GetItemInfo(dataset.Items.GetIndex(41)));
    }

    [Fact]
    public async Task Ids_that_look_like_comments_or_numbers_with_zeros_are_kept_as_written()
    {
        string csv = _folder.Write("events.csv", "customer,sku\n#1,007\n#1,7\n");

        var dataset = await Build(csv, new InteractionColumns("customer", "sku"));

        Assert.Equal(["#1"], dataset.Users.Ids);
        Assert.Equal(["007", "7"], dataset.Items.Ids);
    }

    [Fact]
    public async Task Missing_columns_are_one_error_naming_each_and_listing_the_header()
    {
        string csv = _folder.Write("events.csv", "customer,product,rating\ncust-1,SKU-1,5\n");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddDelimitedFileAsync(csv, Columns));

        Assert.Contains("no item column \"sku\" and no rating column \"stars\" and no timestamp column \"ordered_at\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("the columns are \"customer\", \"product\", \"rating\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(csv, error.FilePath);
        DatasetAssert.Unchanged(builder);
    }

    [Theory]
    [InlineData("cust-2,,4,1715000000", 3, "the item id is empty")]
    [InlineData("cust-2,SKU-2,four,1715000000", 3, "the rating 'four' is not a number")]
    [InlineData("cust-2,SKU-2,4,yesterday", 3, "the timestamp 'yesterday' is neither")]
    [InlineData("cust-2,SKU-2,NaN,1715000000", 3, "is not a finite number")]
    public async Task A_bad_line_is_named_by_file_and_line_and_nothing_of_the_file_is_added(string badLine, int lineNumber, string problem)
    {
        string csv = _folder.Write("events.csv", "customer,sku,stars,ordered_at\ncust-1,SKU-1,5,1715000000\n" + badLine + "\ncust-3,SKU-3,5,1715000000\n");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddDelimitedFileAsync(csv, Columns));

        Assert.Equal(lineNumber, error.LineNumber);
        Assert.StartsWith($"{csv}:{lineNumber}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [Fact]
    public async Task A_file_with_a_header_and_no_lines_says_it_has_no_rows()
    {
        string csv = _folder.Write("events.csv", "customer,sku,stars,ordered_at\n");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddDelimitedFileAsync(csv, Columns));

        Assert.Contains("no rows", error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [Fact]
    public async Task A_file_without_ratings_cannot_join_events_that_have_them()
    {
        string csv = _folder.Write("events.csv", "customer,sku\ncust-1,SKU-1\n");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddDelimitedFileAsync(csv, new InteractionColumns("customer", "sku")));

        Assert.Contains("the events before it have ratings and times", error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [Fact]
    public async Task Column_names_given_twice_or_blank_are_refused()
    {
        string csv = _folder.Write("events.csv", "customer,sku\ncust-1,SKU-1\n");

        await Assert.ThrowsAsync<ArgumentException>(() => new InteractionDatasetBuilder().AddDelimitedFileAsync(csv, new InteractionColumns("customer", "Customer")));
        await Assert.ThrowsAsync<ArgumentException>(() => new InteractionDatasetBuilder().AddDelimitedFileAsync(csv, new InteractionColumns("customer", "sku") { Rating = " " }));
    }

    private static async Task<InteractionDataset> Build(string path, InteractionColumns columns)
    {
        var builder = new InteractionDatasetBuilder();
        await builder.AddDelimitedFileAsync(path, columns);
        return builder.Build();
    }
}
