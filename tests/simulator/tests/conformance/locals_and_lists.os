set a(1)="one",a(2)="two",a(10)="ten",a("x")="ex",a(2,1)="deep"
set k="" for { set k=$order(a(k)) quit:k=""  write k,"=",a(k),";" } write !
set k="" for { set k=$order(a(k),-1) quit:k=""  write k,";" } write !
write $data(a),$data(a(1)),$data(a(2)),$data(a(3)),!
kill a(2) write $data(a(2)),$data(a(2,1)),!
set l=$listbuild("x",2,,4.5)
write $listlength(l),"|",$listget(l,1),"|",$lg(l,3,"none"),"|",$list(l,4),"|",$listfind(l,2),!
set l2=l_$lb("tail") write $ll(l2),"|",$lg(l2,-1),"|",$listvalid(l2),"|",$listvalid("plain"),!
write $listtostring($lb("a","b","c"),"-"),"|",$ll($listfromstring("p;q",";")),!
zwrite l
set n=0,n=$increment(n),n=$increment(n,10) write n,!
