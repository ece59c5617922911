// The examples run here print to Console.Out, which is one per process: run these tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
