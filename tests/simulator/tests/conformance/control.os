for i=1:1:5 { write i }  write !
for i=10:-3:1 { write i," " }  write !
for x="a","b","c" write x
write !
set n=0 for { set n=n+1 quit:n>=3 } write n,!
set n=0 while n<4 { set n=n+1 } write n,!
set n=9 do { set n=n+1 } while n<5 write n,!
set x=2 if x=1 { write "one" } elseif x=2 { write "two" } else { write "other" } write !
if 0 write "no"
else  write "legacy-else",!
if 1,0 { write "both" } else { write "not both" } write !
write:x=2 "pc-yes" write:x=3 "pc-no" set:x=2 y="set" write " ",y,!
write "a" quit:x=2  write "b"
write !,"after quit"
