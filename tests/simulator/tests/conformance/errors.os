write undefinedvar
write "still running",!
set x=1/0
write ##class(No.Such.Class).Method()
do ##class(%SYSTEM.Status).NoMethod()
set o={} write o.%NoMethod()
set v=1 write v.Prop
do ^NoSuchRoutine
write $zu(4,$job,1)
set x=(
try { write nope } catch ex { write ex.Name," ",ex.Data," ",ex.Code,! }
try { set y=1/0 } catch ex { write ex.Name,"|",ex.DisplayString(),! }
try { throw ##class(%Exception.General).%New("MyErr",7,"loc","data") } catch ex { write ex.Name,"/",ex.Code,"/",ex.Data,! }
try { write nope } catch ex { set sc=ex.AsStatus() } write $system.Status.GetErrorText(sc),!
write $zerror,!
