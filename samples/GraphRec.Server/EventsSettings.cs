using GraphRec.Data;
using GraphRec.Samples;

namespace GraphRec.Server;

/// <summary>
/// Where the server reads the events it retrains on: a query on SQLite or PostgreSQL (configuration section
/// <c>GraphRec:Events</c>, or <c>--events-provider</c>, <c>--events-connection</c>, <c>--events-query</c> and the column
/// options on the command line). Without a provider the server only serves.
/// </summary>
internal sealed class EventsSettings
{
    /// <summary><c>sqlite</c> or <c>postgres</c>; empty: no retraining.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The connection string.</summary>
    public string Connection { get; set; } = "";

    /// <summary>The query that returns the events.</summary>
    public string Query { get; set; } = "";

    /// <summary>The column of user ids. Default <c>user_id</c>.</summary>
    public string UserColumn { get; set; } = "user_id";

    /// <summary>The column of item ids. Default <c>item_id</c>.</summary>
    public string ItemColumn { get; set; } = "item_id";

    /// <summary>The column of ratings, if any.</summary>
    public string? RatingColumn { get; set; }

    /// <summary>The column of event times, if any.</summary>
    public string? TimeColumn { get; set; }

    /// <summary>The column of item titles, if any.</summary>
    public string? TitleColumn { get; set; }

    /// <summary>Ratings below it are left out, as the sample's <c>train --rating-threshold</c> does; null keeps every row.</summary>
    public float? RatingThreshold { get; set; }

    /// <summary>The events these settings name, or a message that says what is missing.</summary>
    public DatabaseEvents ToEvents()
    {
        if (!DatabaseEvents.Providers.Contains(Provider))
        {
            throw new InvalidOperationException($"--events-provider (GraphRec:Events:Provider) is \"{Provider}\"; give one of {string.Join(", ", DatabaseEvents.Providers)}.");
        }

        if (string.IsNullOrWhiteSpace(Connection) || string.IsNullOrWhiteSpace(Query))
        {
            throw new InvalidOperationException("Retraining from a database needs --events-connection and --events-query (GraphRec:Events:Connection and :Query).");
        }

        return new DatabaseEvents(Provider, Connection, Query, new InteractionColumns(UserColumn, ItemColumn) { Rating = RatingColumn, Timestamp = TimeColumn, Title = TitleColumn }, RatingThreshold);
    }
}
