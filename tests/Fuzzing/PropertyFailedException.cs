namespace GraphRec.Tests.Fuzzing;

/// <summary>A property failed on one case; the message names the seed that replays it.</summary>
public sealed class PropertyFailedException(string message, Exception inner) : Exception(message, inner);
