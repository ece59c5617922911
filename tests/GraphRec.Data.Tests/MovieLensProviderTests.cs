using System.Text;
using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class MovieLensProviderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Ml100KItem(int id, string title, string date, int genre) =>
        $"{id}|{title}|{date}||http://imdb/{id}|" + string.Join("|", Enumerable.Range(0, 19).Select(g => g == genre ? "1" : "0"));

    private void WriteMl100K(string data)
    {
        _folder.Write("ml-100k/u.data", data);
        _folder.Write("ml-100k/u.item", string.Join("\n",
            Ml100KItem(10, "Toy Story (1995)", "01-Jan-1995", 3),
            Ml100KItem(20, "Misérables, Les (1995)", "01-Jan-1995", 8),
            Ml100KItem(30, "unknown", "", 0)) + "\n", Encoding.Latin1);
    }

    private Task<InteractionDataset> Load(
        MovieLensRelease release, float? threshold = null, bool lenient = false, bool keepKnownNegatives = false) =>
        new MovieLensProvider(release, new MovieLensOptions
        {
            DataDirectory = _folder.Path, RatingThreshold = threshold, KeepKnownNegatives = keepKnownNegatives, Lenient = lenient, AllowDownload = false,
        }).LoadAsync();

    [Fact]
    public async Task Reads_ml100k_with_dense_ids_in_ascending_original_order()
    {
        WriteMl100K("7\t20\t4\t881250949\n3\t10\t5\t881250950\r\n7\t10\t1\t881250951\n");

        var dataset = await Load(MovieLensRelease.Ml100K);

        Assert.Equal([3L, 7L], dataset.Users.NumericIds.ToArray());
        Assert.Equal([10L, 20L], dataset.Items.NumericIds.ToArray());
        Assert.Equal(3, dataset.Interactions.Count);
        Assert.Equal([0, 1], dataset.Interactions.ItemsOf(dataset.Users.GetIndex(7)).ToArray());
        Assert.Equal([881250951L, 881250949L], dataset.Interactions.Timestamps[1..].ToArray());
        Assert.Equal("Toy Story (1995)", dataset.GetItemInfo(0)!.ToString());
        Assert.Equal(["Animation"], dataset.GetItemInfo(0)!.Genres);
        Assert.Equal("Misérables, Les", dataset.GetItemInfo(1)!.Title);
        Assert.Equal(["Drama"], dataset.GetItemInfo(1)!.Genres);
    }

    [Fact]
    public async Task Threshold_drops_low_ratings_and_duplicates_collapse_to_the_latest()
    {
        WriteMl100K("1\t10\t5\t100\n1\t10\t4\t300\n1\t10\t5\t200\n1\t20\t2\t100\n2\t20\t4\t100\n");

        var dataset = await Load(MovieLensRelease.Ml100K, threshold: 4);

        Assert.Equal(1, dataset.Report.BelowThreshold);
        Assert.Equal(2, dataset.Report.DuplicatesCollapsed);
        Assert.Equal(2, dataset.Interactions.Count);
        Assert.Equal(300, dataset.Interactions.Timestamps[0]);
        Assert.Equal(4f, dataset.Interactions.Ratings[0]);
    }

    [Theory]
    [InlineData("1\t10\t5\n", "expected 4 fields")]
    [InlineData("x\t10\t5\t100\n", "user id 'x'")]
    [InlineData("1\t10\t9\t100\n", "rating 9 is outside")]
    [InlineData("1\t10\t5\tyesterday\n", "timestamp 'yesterday'")]
    public async Task A_malformed_line_names_file_line_and_text(string badLine, string problem)
    {
        WriteMl100K("1\t10\t5\t100\n" + badLine);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));

        Assert.Equal(2, error.LineNumber);
        Assert.EndsWith("u.data", error.FilePath, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains(badLine.TrimEnd('\n'), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lenient_mode_skips_and_reports_malformed_lines()
    {
        WriteMl100K("1\t10\t5\t100\nbroken\n2\t20\t3\t100\n");

        var dataset = await Load(MovieLensRelease.Ml100K, lenient: true);

        Assert.Equal(2, dataset.Interactions.Count);
        Assert.Equal(1, dataset.Report.MalformedSkipped);
        Assert.Contains(":2:", Assert.Single(dataset.Report.MalformedExamples), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_file_missing_archive_entry_and_corrupt_zip_each_say_so()
    {
        WriteMl100K("");
        var empty = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);

        WriteMl100K("1\t10\t5\t100\n");
        File.Delete(Path.Combine(_folder.Path, "ml-100k", "u.item"));
        string archive = _folder.Zip("ml-100k");
        var missing = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));
        Assert.Contains("ml-100k.zip!/ml-100k/u.item", missing.Message, StringComparison.Ordinal);

        File.WriteAllBytes(archive, File.ReadAllBytes(archive)[..40]);
        var corrupt = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.Ml100K));
        Assert.Contains("zip", corrupt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_the_archive_when_no_folder_is_there()
    {
        WriteMl100K("1\t10\t5\t100\n2\t20\t3\t100\n");
        _folder.Zip("ml-100k");

        var dataset = await Load(MovieLensRelease.Ml100K);

        Assert.Equal(2, dataset.Interactions.Count);
    }

    [Fact]
    public async Task Offline_without_the_data_names_the_url_and_where_to_put_the_file()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Load(MovieLensRelease.Ml1M));

        Assert.Contains(Path.Combine(_folder.Path, "ml-1m.zip"), error.Message, StringComparison.Ordinal);
        Assert.Contains("https://files.grouplens.org/datasets/movielens/ml-1m.zip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_ml1m_dat_files_in_latin1()
    {
        _folder.Write("ml-1m/ratings.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n");
        _folder.Write("ml-1m/movies.dat", "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n1193::Misérables, Les (1995)::Drama|Musical\n", Encoding.Latin1);

        var dataset = await Load(MovieLensRelease.Ml1M);

        Assert.Equal(3, dataset.Interactions.Count);
        var info = dataset.GetItemInfo(dataset.Items.GetIndex(1193))!;
        Assert.Equal("Misérables, Les", info.Title);
        Assert.Equal(1995, info.Year);
        Assert.Equal(["Drama", "Musical"], info.Genres);
    }

    [Fact]
    public async Task Reads_ml100k_users_with_exact_ages()
    {
        WriteMl100K("7\t20\t4\t881250949\n3\t10\t5\t881250950\n");
        _folder.Write("ml-100k/u.user", "3|23|M|writer|32067\r\n7|57|F|administrator|T8H1N\n99|30|M|other|10001\n");

        var dataset = await Load(MovieLensRelease.Ml100K);

        Assert.Equal(new UserInfo("M", 23, 23, "writer", "32067"), dataset.GetUserInfo(dataset.Users.GetIndex(3)));
        var second = dataset.GetUserInfo(dataset.Users.GetIndex(7))!;
        Assert.Equal("57, F, administrator, T8H1N", second.ToString());
        Assert.Equal(2, dataset.UserInfo!.Count);
    }

    [Fact]
    public async Task Without_a_user_file_the_dataset_has_no_demographics()
    {
        WriteMl100K("1\t10\t5\t100\n");

        var dataset = await Load(MovieLensRelease.Ml100K);

        Assert.Null(dataset.UserInfo);
        Assert.Null(dataset.GetUserInfo(0));
    }

    [Fact]
    public async Task Reads_ml1m_users_with_age_groups_and_occupation_names()
    {
        _folder.Write("ml-1m/ratings.dat", "1::1193::5::978300760\n2::1193::4::978298413\n3::1193::4::978298413\n");
        _folder.Write("ml-1m/movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n", Encoding.Latin1);
        _folder.Write("ml-1m/users.dat", "1::F::1::10::48067\r\n2::M::56::16::70072\n3::M::25::15::55117\n");

        var dataset = await Load(MovieLensRelease.Ml1M);

        Assert.Equal(new UserInfo("F", null, 17, "K-12 student", "48067"), dataset.GetUserInfo(0));
        Assert.Equal("under 18", dataset.GetUserInfo(0)!.Age);
        Assert.Equal("56+, M, self-employed, 70072", dataset.GetUserInfo(1)!.ToString());
        Assert.Equal("25-34", dataset.GetUserInfo(2)!.Age);
        Assert.Equal("scientist", dataset.GetUserInfo(2)!.Occupation);
    }

    [Fact]
    public async Task Known_negatives_are_kept_apart_without_changing_the_positive_dataset()
    {
        // User 2 and item 30 have no positive rating: their low ratings cannot be indexed and are counted.
        WriteMl100K("1\t10\t5\t100\n1\t20\t2\t110\n2\t20\t1\t120\n3\t20\t4\t130\n3\t30\t3\t140\n3\t10\t1\t150\n");

        var dropped = await Load(MovieLensRelease.Ml100K, threshold: 4);
        var kept = await Load(MovieLensRelease.Ml100K, threshold: 4, keepKnownNegatives: true);

        Assert.Null(dropped.KnownNegatives);
        Assert.Equal([1L, 3L], kept.Users.NumericIds.ToArray());
        Assert.Equal([10L, 20L], kept.Items.NumericIds.ToArray());
        Assert.Equal(dropped.Users.NumericIds.ToArray(), kept.Users.NumericIds.ToArray());
        Assert.Equal(dropped.Interactions.RowPointers.ToArray(), kept.Interactions.RowPointers.ToArray());
        Assert.Equal(dropped.Interactions.Items.ToArray(), kept.Interactions.Items.ToArray());
        var negatives = kept.KnownNegatives!;
        Assert.Equal([1], negatives.ItemsOf(0).ToArray());
        Assert.Equal([0], negatives.ItemsOf(1).ToArray());
        Assert.Equal([2f, 1f], negatives.Ratings.ToArray());
        Assert.Equal([110L, 150L], negatives.Timestamps.ToArray());
        Assert.Equal(4, kept.Report.BelowThreshold);
        Assert.Equal(2, kept.Report.KnownNegativesOutsideDataset);
        Assert.Equal(0, dropped.Report.KnownNegativesOutsideDataset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_latest_of_repeated_ratings_decides_which_side_of_the_threshold_a_pair_is_on(bool keepKnownNegatives)
    {
        // User 1 rated item 10 a 5, later a 2 (negative), and item 20 a 1, later a 4 (positive).
        WriteMl100K("1\t10\t2\t200\n1\t10\t5\t100\n1\t20\t4\t100\n1\t20\t1\t50\n2\t10\t5\t100\n");

        var dataset = await Load(MovieLensRelease.Ml100K, threshold: 4, keepKnownNegatives: keepKnownNegatives);

        Assert.Equal([1], dataset.Interactions.ItemsOf(dataset.Users.GetIndex(1)).ToArray());
        Assert.Equal(4f, dataset.Interactions.Ratings[0]);
        Assert.Equal(2, dataset.Report.DuplicatesCollapsed);
        Assert.Equal(1, dataset.Report.BelowThreshold);
        Assert.Equal(keepKnownNegatives ? [0] : [], dataset.KnownNegatives?.ItemsOf(0).ToArray() ?? []);
    }

    [Theory]
    [InlineData("ml-100k", "u.user", "1|x|M|writer|32067", "age 'x'")]
    [InlineData("ml-100k", "u.user", "1|23|Q|writer|32067", "gender 'Q'")]
    [InlineData("ml-100k", "u.user", "1|23|M|writer", "expected 5 fields")]
    [InlineData("ml-100k", "u.user", "1|23|M||32067", "occupation is empty")]
    [InlineData("ml-100k", "u.user", "1|23|M|writer|32067\n1|24|M|writer|32067", "user id 1 is listed twice")]
    [InlineData("ml-1m", "users.dat", "1::F::19::10::48067", "age group '19'")]
    [InlineData("ml-1m", "users.dat", "1::F::18::21::48067", "occupation '21'")]
    public async Task A_malformed_user_line_names_file_line_and_problem(string release, string file, string users, string problem)
    {
        WriteWithUsers(release, file, users);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.FromName(release)));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.EndsWith(file, error.FilePath, StringComparison.Ordinal);
        Assert.Equal(users.Split('\n').Length, error.LineNumber);
    }

    [Fact]
    public async Task Lenient_mode_skips_malformed_user_lines_and_reports_them()
    {
        WriteWithUsers("ml-100k", "u.user", "1|23|M|writer|32067\n2|old|M|writer|32067");

        var dataset = await Load(MovieLensRelease.Ml100K, lenient: true);

        Assert.Equal(1, dataset.Report.MalformedSkipped);
        Assert.Contains("u.user:2: age 'old'", dataset.Report.MalformedExamples[0], StringComparison.Ordinal);
        Assert.Equal(2, dataset.Report.LinesRead);
        Assert.NotNull(dataset.GetUserInfo(0));
        Assert.Null(dataset.GetUserInfo(1));
    }

    private void WriteWithUsers(string release, string file, string users)
    {
        if (release == "ml-100k")
        {
            WriteMl100K("1\t10\t5\t100\n2\t10\t4\t100\n");
        }
        else
        {
            _folder.Write("ml-1m/ratings.dat", "1::1193::5::978300760\n");
            _folder.Write("ml-1m/movies.dat", "1193::Misérables, Les (1995)::Drama\n", Encoding.Latin1);
        }

        _folder.Write($"{release}/{file}", users + "\n", Encoding.Latin1);
    }

    [Fact]
    public async Task Reads_csv_with_header_and_quoted_titles()
    {
        _folder.Write("ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\n1,11,4.5,964982703\n1,2,0.5,964981247\n");
        _folder.Write("ml-latest-small/movies.csv",
            "movieId,title,genres\n2,Jumanji (1995),Adventure|Children|Fantasy\n11,\"American President, The (1995)\",Comedy|Drama|Romance\n");

        var dataset = await Load(MovieLensRelease.LatestSmall);

        Assert.Equal(2, dataset.Interactions.Count);
        Assert.Equal("American President, The", dataset.GetItemInfo(dataset.Items.GetIndex(11))!.Title);
        Assert.Equal(0.5f, dataset.Interactions.Ratings[0]);
    }

    [Fact]
    public async Task Csv_that_is_not_utf8_gives_an_encoding_error()
    {
        _folder.Write("ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\n1,11,4.5,964982703\n");
        _folder.Write("ml-latest-small/movies.csv", "movieId,title,genres\n11,Misérables (1995),Drama\n", Encoding.Latin1);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Load(MovieLensRelease.LatestSmall));

        Assert.Contains("utf-8", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Toy Story (1995)", "Toy Story", 1995)]
    [InlineData("Misérables, Les (1995) ", "Misérables, Les", 1995)]
    [InlineData("Babylon 5", "Babylon 5", null)]
    public void Splits_titles_and_years(string text, string title, int? year) =>
        Assert.Equal((title, year), MovieLensProvider.SplitTitle(text));

    [SkippableFact]
    public async Task Real_ml100k_at_threshold_4_keeps_every_rating_on_one_side()
    {
        string directory = Path.GetDirectoryName(RealData.Require("ml-100k/u.data"))!;

        var dataset = await new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions
        {
            DataDirectory = Path.GetDirectoryName(directory), AllowDownload = false,
            RatingThreshold = 4, KeepKnownNegatives = true,
        }).LoadAsync();

        // Counted with awk on u.data: 55,375 ratings of 4 or 5, from 942 users on 1,447 items.
        Assert.Equal(55_375, dataset.Interactions.Count);
        Assert.Equal(942, dataset.Users.Count);
        Assert.Equal(1447, dataset.Items.Count);
        Assert.Equal(100_000 - 55_375, dataset.Report.BelowThreshold);
        Assert.Equal(dataset.Report.BelowThreshold, dataset.KnownNegatives!.Count + dataset.Report.KnownNegativesOutsideDataset);
        Assert.All(dataset.KnownNegatives.Ratings.ToArray(), rating => Assert.True(rating < 4));
    }

    [SkippableFact]
    public async Task Real_ml100k_has_its_published_counts()
    {
        string directory = Path.GetDirectoryName(RealData.Require("ml-100k/u.data"))!;

        var dataset = await new MovieLensProvider(MovieLensRelease.Ml100K,
            new MovieLensOptions { DataDirectory = Path.GetDirectoryName(directory), AllowDownload = false }).LoadAsync();

        Assert.Equal(100_000, dataset.Interactions.Count);
        Assert.Equal(943, dataset.Users.Count);
        Assert.Equal(1682, dataset.Items.Count);
        Assert.Equal(0, dataset.Report.DuplicatesCollapsed);
        Assert.Equal("Toy Story", dataset.GetItemInfo(dataset.Items.GetIndex(1))!.Title);
        Assert.All(dataset.UserInfo!, Assert.NotNull);
        Assert.Equal("24, M, technician, 85711", dataset.GetUserInfo(dataset.Users.GetIndex(1))!.ToString());
        Assert.Equal(273, dataset.UserInfo!.Count(user => user!.Gender == "F"));
    }
}
