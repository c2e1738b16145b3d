; expect-exit: 5
set sc=$system.Status.Error(5001,"Something failed")
write $system.Status.IsOK(sc),$system.Status.IsError(sc),$system.Status.IsOK(1),!
write $system.Status.GetErrorText(sc),!
write $system.Status.GetErrorCodes(sc),!
write $select($system.Status.IsOK(sc):"OK",1:"FAILED"),!
write $namespace,"|",$system.Process.NameSpace(),"|",$system.Version.GetNumber(),!
write ($zv["IRIS-SIM"),($zv["2025.1 (Build 223U)"),!
set ^Conf("k")="v" write ^Conf("k"),$data(^Conf),!
zn "%SYS"
write $data(^Conf),"|",$namespace,!
if '$system.Status.IsOK(sc) do ##class(%SYSTEM.Process).Terminate(,5)
write "not reached",!
