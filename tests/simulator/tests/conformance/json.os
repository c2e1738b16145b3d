set n=41 set o={"name":"demo","count":(n+1),"tags":["a","b"],"on":true,"off":false,"none":null,"half":.5}
write o.%ToJSON(),!
write o.name,"|",o.count,"|",o.tags.%Get(1),"|",o.tags.%Size(),"|",o.on,"|",o.none,"|",o.missing,"|",!
do o.%Set("added","x").%Remove("none") set o.count=o.count+1 write o.%ToJSON(),!
set it=o.%GetIterator() while it.%GetNext(.k,.v) { write k,":",o.%GetTypeOf(k)," " } write !
set a=[] do a.%Push(1).%Push("two").%Push({"three":3}) write a.%ToJSON(),"|",a.%Size(),!
set p=##class(%DynamicObject).%FromJSON("{""k"":[1,2.50,""s""],""q"":""a\""b""}") write p.k.%Get(1),"|",p.q,"|",p.%ToJSON(),!
set s={} do s.%Set("t","tab"_$char(9)_"nl"_$char(10)_"quote"_"""") write s.%ToJSON(),!
set a2=[1] do a2.%Push({"x":(s.%Size())}) do s.%ToJSON() write "|" do a2.%ToJSON() write "|",$length(s.%ToJSON()),!
