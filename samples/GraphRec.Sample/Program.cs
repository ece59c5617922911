// GraphRec sample: train LightGCN on MovieLens (or an edge-list dataset), evaluate it over the full catalogue next to
// two baselines, save the model and a report, and recommend from the saved model. `--help` on every command.
//
//   dotnet run --project samples/GraphRec.Sample -c Release                      train on MovieLens 100K with the defaults
//   dotnet run --project samples/GraphRec.Sample -c Release -- recommend --model graphrec-output/model.graphrec --user 1
return await GraphRec.Sample.Cli.RunAsync(args);
